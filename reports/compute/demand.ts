import type { Minute } from '../minute-series.js';
import type { Demand } from '../report-model.js';
import { DEMAND_BLOCK_MIN_MINUTES, DEMAND_BLOCK_MINUTES } from '../standards.js';
import { powerW } from '../meter-fields.js';

const BLOCK_MS = DEMAND_BLOCK_MINUTES * 60_000;

/** block start → mean power in kW, for blocks with enough minutes of readings. */
export function demandBlocks(minutes: readonly Minute[]): Map<number, number> {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const minute of minutes) {
    const w = powerW(minute.v);
    if (w === undefined) continue;
    const block = Math.floor(minute.t / BLOCK_MS) * BLOCK_MS;
    const entry = sums.get(block) ?? { sum: 0, n: 0 };
    entry.sum += w;
    entry.n += 1;
    sums.set(block, entry);
  }
  const blocks = new Map<number, number>();
  for (const [block, { sum, n }] of sums)
    if (n >= DEMAND_BLOCK_MIN_MINUTES) blocks.set(block, sum / n / 1000);
  return blocks;
}

/** The highest block of several meters' blocks added up (a zone's, a tenant's with shares). */
export function peakDemand(
  meters: ReadonlyArray<{ blocks: Map<number, number>; share: number }>,
): Demand | undefined {
  const total = new Map<number, number>();
  for (const { blocks, share } of meters) {
    for (const [block, kw] of blocks) total.set(block, (total.get(block) ?? 0) + kw * share);
  }
  let peak: Demand | undefined;
  for (const [block, kw] of [...total].sort(([a], [b]) => a - b)) {
    if (!peak || kw > peak.kw) peak = { kw, atMs: block };
  }
  return peak;
}
