import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether `Authorization: Bearer …` carries one of the tokens, compared with each in constant time (reports, the simulator's control API). */
export function bearerMatches(header: string | undefined, tokens: readonly string[]): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return false;
  const presented = digest(match[1] as string);
  let found = false;
  for (const token of tokens) if (timingSafeEqual(presented, digest(token))) found = true;
  return found;
}
