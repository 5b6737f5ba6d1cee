import { chmodSync, mkdirSync } from 'node:fs';

/**
 * Makes `dir` (and missing parents) a folder only its owner can enter, tightening one
 * that exists already: the stack's data folder holds secrets, credentials, session
 * stores, buffers and logs, which other users of the machine must not read.
 */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}
