import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DurableQueue } from '../../buffer/durable-queue.js';

/**
 * Makes the queue's next write fail as a full or broken disk would. A message as big as
 * LevelDB's memtable is written first (it stays in the queue), so the next write must open
 * a new log file, and folders stand where that file goes. The returned function takes them
 * away: the writes after it succeed again.
 */
export async function failNextWrite(queue: DurableQueue, bufferDir: string): Promise<() => Promise<void>> {
  queue.append('v1/test-site/gw-test/filler/telemetry', 'x'.repeat(1_100_000));
  await queue.flush();
  const numbers = (await readdir(bufferDir)).map((name) => Number(/^\D*(\d+)/.exec(name)?.[1] ?? 0));
  const last = Math.max(...numbers);
  const blockers = [1, 2, 3].map((n) => join(bufferDir, `${String(last + n).padStart(6, '0')}.log`));
  await Promise.all(blockers.map((path) => mkdir(path)));
  return async () => {
    await Promise.all(blockers.map((path) => rm(path, { recursive: true })));
  };
}
