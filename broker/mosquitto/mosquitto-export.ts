import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../runtime/index.js';
import type { Grant } from '../credentials/credential-schema.js';
import { mosquittoAclFile } from './mosquitto-acl.js';
import { mosquittoPasswordLine, readMosquittoPasswords } from './mosquitto-password.js';

/** The two files of a mosquitto 2 deployment, in one folder: `acl_file` and `password_file`. */
export const MOSQUITTO_FILES = { acl: 'acl', passwords: 'passwd' } as const;

export interface MosquittoExport {
  /** Users in the credential store that have no password entry yet: add them again with `--mosquitto`. */
  withoutPassword: string[];
  /** Password entries dropped because their user is no longer in the credential store. */
  removed: string[];
}

/**
 * Writes mosquitto's ACL from the credential store, and keeps its password file in step:
 * only users of the store keep their entry. Passwords are stored only as hashes here and
 * there, so an entry is written when a password is set (`broker/cli.ts add --mosquitto`),
 * never derived from our scrypt hash.
 */
export function exportMosquitto(grants: readonly Grant[], dir: string): MosquittoExport {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const passwords = readMosquittoPasswords(join(dir, MOSQUITTO_FILES.passwords));
  const users = new Set(grants.map((g) => g.username));
  const removed = [...passwords.keys()].filter((user) => !users.has(user));
  const kept = grants.flatMap((g) => passwords.get(g.username) ?? []);
  writeFileAtomic(join(dir, MOSQUITTO_FILES.acl), mosquittoAclFile(grants), 0o640);
  writeFileAtomic(join(dir, MOSQUITTO_FILES.passwords), kept.map((line) => `${line}\n`).join(''), 0o640);
  return {
    withoutPassword: grants.filter((g) => !passwords.has(g.username)).map((g) => g.username),
    removed,
  };
}

/** Sets one user's mosquitto password entry (when `add` sets or generates its password). */
export async function setMosquittoPassword(dir: string, username: string, password: string): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, MOSQUITTO_FILES.passwords);
  const passwords = readMosquittoPasswords(file);
  passwords.set(username, await mosquittoPasswordLine(username, password));
  writeFileAtomic(file, [...passwords.values()].map((line) => `${line}\n`).join(''), 0o640);
}
