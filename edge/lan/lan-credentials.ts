import { join } from 'node:path';
import { z } from 'zod';
import {
  credentialsFileSchemaOf,
  generatePassword,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  passwordHashSchema,
  usernameSchema,
} from '../../broker/index.js';
import { idSchema } from '../../contracts/index.js';
import { readPrivateJsonFile, writePrivateJsonFile } from '../../runtime/index.js';

/**
 * One LAN credential: a username, the scrypt hash of its password (as the central
 * broker keeps them), and the LAN devices it publishes for. Usually one device; a
 * Frigate NVR publishes for all its cameras.
 */
export const lanCredentialSchema = z.strictObject({
  username: usernameSchema,
  devices: z.array(idSchema).min(1, 'must name at least one device of the gateway config'),
  hash: passwordHashSchema,
});
export type LanCredential = z.infer<typeof lanCredentialSchema>;

export const LAN_CREDENTIALS_VERSION = 1;

export const lanCredentialsFileSchema = credentialsFileSchemaOf(LAN_CREDENTIALS_VERSION, lanCredentialSchema);

/** Where a gateway keeps its LAN credentials: `lan.credentialsFile`, or beside its buffer. */
export function lanCredentialsFileOf(config: {
  dataDir: string;
  lan: { credentialsFile?: string | undefined };
}): string {
  return config.lan.credentialsFile ?? join(config.dataDir, 'lan-credentials.json');
}

/** A missing or blank file holds none; anything else must validate completely. */
export async function readLanCredentials(file: string): Promise<LanCredential[]> {
  const content = await readPrivateJsonFile(file, lanCredentialsFileSchema, 'LAN credentials file');
  return content?.credentials ?? [];
}

export interface AddLanCredentialInput {
  username: string;
  devices: readonly string[];
  /** Generated (and returned once) when omitted. */
  password?: string | undefined;
  /** Replace an entry of the same username instead of failing. */
  replace?: boolean;
}

/** Adds a credential and returns its password, which is stored only as a hash. */
export async function addLanCredential(
  file: string,
  input: AddLanCredentialInput,
): Promise<{ password: string }> {
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const password = input.password ?? generatePassword();
  const existing = await readLanCredentials(file);
  if (!input.replace && existing.some((entry) => entry.username === input.username)) {
    throw new Error(`LAN user ${input.username} already exists in ${file}; remove it first or replace it`);
  }
  const entry = lanCredentialSchema.parse({
    username: input.username,
    devices: [...input.devices],
    hash: await hashPassword(password),
  });
  await writeLanCredentials(file, [...existing.filter((e) => e.username !== entry.username), entry]);
  return { password };
}

/** Returns false when the user was not in the file. */
export async function removeLanCredential(file: string, username: string): Promise<boolean> {
  const existing = await readLanCredentials(file);
  const kept = existing.filter((entry) => entry.username !== username);
  if (kept.length === existing.length) return false;
  await writeLanCredentials(file, kept);
  return true;
}

export async function writeLanCredentials(
  file: string,
  credentials: readonly LanCredential[],
): Promise<void> {
  const content = lanCredentialsFileSchema.parse({
    version: LAN_CREDENTIALS_VERSION,
    credentials: [...credentials],
  });
  await writePrivateJsonFile(file, content);
}
