import { rmSync } from 'node:fs';

/** Removes a benchmark's temp folder, unless BENCH_KEEP=1 asks to keep logs, configs and data for a look afterwards. */
export function removeUnlessKept(dir: string): void {
  if (process.env.BENCH_KEEP === '1') process.stderr.write(`kept ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
}
