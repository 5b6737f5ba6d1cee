import { pbkdf2, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const derive = promisify(pbkdf2);

/**
 * PBKDF2-SHA512 iterations of the entries written here. mosquitto_passwd's default is
 * 101; each login costs mosquitto this many rounds (about 10 ms at 20,000 on one core of
 * this box), which a few hundred gateways reconnecting at once can afford.
 */
export const MOSQUITTO_PBKDF2_ITERATIONS = 20_000;

/**
 * One line of a mosquitto 2 `password_file`: `user:$7$iterations$salt$hash`, PBKDF2-SHA512
 * with a 12-byte salt and a 64-byte hash, base64, as `mosquitto_passwd` writes it.
 */
export async function mosquittoPasswordLine(
  username: string,
  password: string,
  iterations = MOSQUITTO_PBKDF2_ITERATIONS,
): Promise<string> {
  const salt = randomBytes(12);
  const hash = await derive(password, salt, iterations, 64, 'sha512');
  return `${username}:$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** username → its whole line, from an existing password file (none: empty). */
export function readMosquittoPasswords(file: string): Map<string, string> {
  const entries = new Map<string, string>();
  if (!existsSync(file)) return entries;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) entries.set(line.slice(0, at), line);
  }
  return entries;
}
