import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  CREDENTIALS_FILE_VERSION,
  credentialsFileSchema,
  type Credential,
  type CredentialsFile,
} from './credential-schema.js';

export const DEFAULT_CREDENTIALS_FILE = './data/broker/credentials.json';
export const CREDENTIALS_FILE_ENV = 'BROKER_CREDENTIALS_FILE';

export class CredentialsFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`credentials file ${file}: ${detail}`);
    this.name = 'CredentialsFileError';
  }
}

/** A missing or blank file holds no credentials; anything else must validate completely. */
export async function readCredentialsFile(file: string): Promise<Credential[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CredentialsFileError(file, `cannot be read: ${(error as Error).message}`);
  }
  if (text.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CredentialsFileError(file, `is not valid JSON: ${(error as Error).message}`);
  }
  const result = credentialsFileSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new CredentialsFileError(file, `is invalid:\n${lines.join('\n')}`);
  }
  return result.data.credentials;
}

/**
 * Writes a temp file beside the target with mode 0600, then renames it over the
 * target, so the broker's watcher never reads a half-written file.
 */
export async function writeCredentialsFile(file: string, credentials: readonly Credential[]): Promise<void> {
  const content: CredentialsFile = { version: CREDENTIALS_FILE_VERSION, credentials: [...credentials] };
  credentialsFileSchema.parse(content);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
