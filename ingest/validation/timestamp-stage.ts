import { accept, reject, type StageResult } from './rejection.js';

export interface ClockPolicy {
  maxAgeDays: number;
  maxFutureS: number;
}

/**
 * Timestamp policy. A gateway's disk buffer replays readings after an uplink outage,
 * so old timestamps are normal, but only up to `maxAgeDays` (default 30): older
 * points would land outside any sane retention policy and usually mean the
 * gateway's clock was reset (RTC battery, no NTP after a power cut). Points more
 * than `maxFutureS` (default 300 s) ahead of this server's clock mean the
 * gateway's clock runs fast; storing them would hide the real readings that follow
 * behind "future" data on every dashboard. Both are refused with CLOCK_SKEW and
 * dead-lettered, so a technician can see and fix the clock.
 */
export function isWithinClockPolicy(ts: number, policy: ClockPolicy, nowMs: number): boolean {
  return ts >= nowMs - policy.maxAgeDays * 86_400_000 && ts <= nowMs + policy.maxFutureS * 1000;
}

export function checkTimestamp(
  ts: number,
  policy: ClockPolicy,
  payload: Buffer,
  nowMs: number = Date.now(),
): StageResult<number> {
  const oldest = nowMs - policy.maxAgeDays * 86_400_000;
  const newest = nowMs + policy.maxFutureS * 1000;
  if (ts < oldest) {
    return reject(
      'CLOCK_SKEW',
      `timestamp ${describe(ts)} is more than ${policy.maxAgeDays} days old`,
      payload,
    );
  }
  if (ts > newest) {
    return reject(
      'CLOCK_SKEW',
      `timestamp ${describe(ts)} is more than ${policy.maxFutureS} s in the future`,
      payload,
    );
  }
  return accept(ts);
}

/** `Date` cannot represent every integer a gateway may send; never let formatting throw. */
function describe(ts: number): string {
  return Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : `${ts} ms`;
}
