import { randomBytes } from 'node:crypto';

/** Sortable by creation time, unique across restarts: "al-<time base36>-<random>". */
export function newAlertId(now: number): string {
  return `al-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

export function newSilenceId(now: number): string {
  return `si-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}
