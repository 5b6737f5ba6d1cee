import { randomBytes } from 'node:crypto';
import { grantSchema, type Grant } from './credential-schema.js';
import { readCredentialsFile, writeCredentialsFile } from './credentials-file.js';
import { hashPassword } from './password-hash.js';

export interface AddCredentialInput extends Grant {
  /** Generated (and returned once) when omitted. */
  password?: string | undefined;
  /** Replace an existing entry of the same username instead of failing. */
  replace?: boolean;
}

export const MIN_PASSWORD_LENGTH = 12;

/** 24 random bytes, base64url: 32 characters, no shell-hostile symbols. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** Adds a credential to the file and returns the password, which is stored only as a hash. */
export async function addCredential(file: string, input: AddCredentialInput): Promise<{ password: string }> {
  const { password: given, replace = false, ...grantInput } = input;
  const parsed = grantSchema.safeParse(grantInput);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `  - ${issue.path.join('.') || '(entry)'}: ${issue.message}`,
    );
    throw new Error(`invalid credential for ${String(grantInput.username)}:\n${lines.join('\n')}`);
  }
  const grant = parsed.data;
  if (given !== undefined && given.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const password = given ?? generatePassword();
  const existing = await readCredentialsFile(file);
  if (!replace && existing.some((entry) => entry.username === grant.username)) {
    throw new Error(`user ${grant.username} already exists in ${file}; remove it first`);
  }
  const others = existing.filter((entry) => entry.username !== grant.username);
  await writeCredentialsFile(file, [...others, { ...grant, hash: await hashPassword(password) }]);
  return { password };
}

/** Returns false when the user was not in the file. */
export async function removeCredential(file: string, username: string): Promise<boolean> {
  const existing = await readCredentialsFile(file);
  const kept = existing.filter((entry) => entry.username !== username);
  if (kept.length === existing.length) return false;
  await writeCredentialsFile(file, kept);
  return true;
}

/** Every credential's grant; hashes never leave this function. */
export async function listCredentials(file: string): Promise<Grant[]> {
  const entries = await readCredentialsFile(file);
  return entries.map(({ hash: _hash, ...grant }) => grant);
}
