import { PrivateJsonFileError, readPrivateJsonFile, writePrivateJsonFile } from '../../runtime/index.js';
import {
  CREDENTIALS_FILE_VERSION,
  credentialsFileSchema,
  type Credential,
  type CredentialsFile,
} from './credential-schema.js';

export const DEFAULT_CREDENTIALS_FILE = './data/broker/credentials.json';
export const CREDENTIALS_FILE_ENV = 'BROKER_CREDENTIALS_FILE';

/** The credentials file could not be read or is invalid (every bad field is named). */
export const CredentialsFileError = PrivateJsonFileError;

/** A missing or blank file holds no credentials; anything else must validate completely. */
export async function readCredentialsFile(file: string): Promise<Credential[]> {
  const content = await readPrivateJsonFile(file, credentialsFileSchema, 'credentials file');
  return content?.credentials ?? [];
}

/** Written atomically with mode 0600, so the broker's watcher never reads a half-written file. */
export async function writeCredentialsFile(file: string, credentials: readonly Credential[]): Promise<void> {
  const content: CredentialsFile = { version: CREDENTIALS_FILE_VERSION, credentials: [...credentials] };
  credentialsFileSchema.parse(content);
  await writePrivateJsonFile(file, content);
}
