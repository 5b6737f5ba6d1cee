import { telemetryMessageSchema } from '../../../contracts/index.js';
import type { ReceivedMessage } from './upstream-broker.js';

/** Per device, the seqs of telemetry in arrival order, first arrival only (MQTT may duplicate). */
export function firstArrivals(messages: readonly ReceivedMessage[]): Map<string, number[]> {
  const byDevice = new Map<string, number[]>();
  const seen = new Set<string>();
  for (const message of messages) {
    const parts = message.topic.split('/');
    if (parts[4] !== 'telemetry') continue;
    const device = parts[3] as string;
    const { seq } = telemetryMessageSchema.parse(message.payload);
    if (seen.has(`${device}/${seq}`)) continue;
    seen.add(`${device}/${seq}`);
    byDevice.set(device, [...(byDevice.get(device) ?? []), seq]);
  }
  return byDevice;
}

/**
 * The fewest increasing runs a sequence can be split into (= its longest strictly
 * decreasing subsequence). Live and replayed messages are each sent in order and
 * interleaved, so a device's arrivals must split into at most two.
 */
export function increasingRuns(seqs: readonly number[]): number {
  const tails: number[] = []; // patience sorting on the reversed comparison
  for (const seq of seqs) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((tails[mid] as number) > seq) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = seq;
  }
  return tails.length;
}

/** Seqs in [from, to] missing from `have`. */
export function missing(have: ReadonlySet<number>, from: number, to: number): number[] {
  const result: number[] = [];
  for (let seq = from; seq <= to; seq++) if (!have.has(seq)) result.push(seq);
  return result;
}
