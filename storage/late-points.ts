import { ROLLUP_LEVELS } from './rollups.js';
import { durationMs } from './storage-policy.js';

function resampleReachMs(): number {
  const first = ROLLUP_LEVELS[0];
  if (!first) throw new Error('no roll-up level');
  // A continuous query runs at the end of each bucket over the last `resampleFor`: a point
  // written now is covered when it is within that window less the bucket still running.
  return durationMs(first.resampleFor) - durationMs(first.interval);
}

/** A point older than this when it is written is never seen by the continuous queries. */
export const CONTINUOUS_QUERY_REACH_MS = resampleReachMs();

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/**
 * The time range of points written after the continuous queries had passed them (a
 * gateway replaying an outage): what a backfill must roll up. Ranges are merged into
 * one, from the earliest to the latest such point; a backfill over the gap between
 * two outages costs a few more queries and writes nothing wrong.
 */
export class LatePoints {
  private range: TimeRange | undefined;

  /**
   * Notes the timestamps of points just written at `nowMs`; only those the queries missed
   * count. One timestamp may be given as a number: ingest notes every message as it is written,
   * and a per-device message is one point (a list for it was an array and an iterator each).
   */
  note(timestampsMs: number | Iterable<number>, nowMs: number): void {
    const before = nowMs - CONTINUOUS_QUERY_REACH_MS;
    if (typeof timestampsMs === 'number') {
      if (timestampsMs < before) this.add({ fromMs: timestampsMs, toMs: timestampsMs });
      return;
    }
    // One range for the whole call: a replayed batch is all late, and ingest notes every write.
    let fromMs = Number.POSITIVE_INFINITY;
    let toMs = Number.NEGATIVE_INFINITY;
    for (const ts of timestampsMs) {
      if (ts >= before) continue;
      if (ts < fromMs) fromMs = ts;
      if (ts > toMs) toMs = ts;
    }
    if (fromMs <= toMs) this.add({ fromMs, toMs });
  }

  /** The range to backfill, forgotten until `add`ed back (after a failed backfill). */
  take(): TimeRange | undefined {
    const range = this.range;
    this.range = undefined;
    return range;
  }

  add(range: TimeRange): void {
    this.range = this.range
      ? { fromMs: Math.min(this.range.fromMs, range.fromMs), toMs: Math.max(this.range.toMs, range.toMs) }
      : { ...range };
  }
}
