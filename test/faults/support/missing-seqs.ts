import type { DeliveryReport } from './delivery-check.js';
import { LOAD_SEQ_BASE } from './load-publisher.js';
import type { QueuedReadings } from './redis-session-queue.js';

/**
 * Where the seqs a report found missing are instead, so a failure explains itself: still
 * queued for ingest in the broker's store (the broker has them and has not handed them
 * over), stored under another device (a load seq is unique across devices), or neither
 * (ingest acknowledged them without storing them, or the broker never queued them).
 */
export function whereMissing(
  report: DeliveryReport,
  stored: ReadonlyMap<string, readonly number[]>,
  queued: QueuedReadings,
): string {
  const deviceOfLoadSeq = new Map<number, string>();
  for (const [device, seqs] of stored) {
    for (const seq of seqs) if (seq >= LOAD_SEQ_BASE) deviceOfLoadSeq.set(seq, device);
  }
  const inQueue: string[] = [];
  const elsewhere: string[] = [];
  const nowhere: string[] = [];
  for (const { device, seqs } of report.missing) {
    for (const seq of seqs) {
      const at = `${device} ${seq}`;
      if (queued.seqs.get(device)?.has(seq)) inQueue.push(at);
      else if (deviceOfLoadSeq.has(seq)) elsewhere.push(`${at} (under ${deviceOfLoadSeq.get(seq)})`);
      else nowhere.push(at);
    }
  }
  const first = (list: string[]) => (list.length > 0 ? ` (${list.slice(0, 4).join('; ')}…)` : '');
  return (
    `missing seqs: ${inQueue.length} still queued for ingest in the broker's store${first(inQueue)}, ` +
    `${elsewhere.length} stored under another device${first(elsewhere)}, ` +
    `${nowhere.length} in neither: acknowledged by ingest unstored, or never queued for it${first(nowhere)}; ` +
    `ingest's queue ${queued.entries} entries, ${queued.orphans} without their message`
  );
}
