import { createLogger, waitFor } from '../../../runtime/index.js';
import { type VillageStack } from '../../../stack/index.js';
import { LOAD_SEQ_BASE, type LoadPublisher } from './load-publisher.js';
import type { SeqLedger } from './seq-ledger.js';
import { storedSeqs } from './stored-seqs.js';

/** A gateway restarted after a crash skips SEQ_CRASH_MARGIN (1000) seqs; a jump this large is that skip. */
const CRASH_GAP_MIN = 500;

export interface DeliveryReport {
  devices: number;
  /** Distinct seqs that must be stored: seen by the subscriber, or acknowledged to the load publisher. */
  sent: number;
  /** Points stored (all time, every device). */
  stored: number;
  missing: Array<{ device: string; seqs: number[] }>;
  duplicated: Array<{ device: string; seq: number; points: number }>;
  /**
   * Holes in a device's gateway seqs, up to the last one the snapshot of what was sent holds,
   * that neither the subscriber nor InfluxDB has seen (beyond crash skips).
   */
  gaps: Array<{ device: string; after: number; before: number }>;
  crashSkips: number;
}

export interface DeliveryExpectation {
  ledger: SeqLedger;
  load?: LoadPublisher | undefined;
  /** Gateway crashes so far: each allows one large seq skip per device. */
  gatewayCrashes?: number;
  /** Gateway seqs below this are not checked for gaps (e.g. dropped on purpose by a full buffer). */
  ignoreGapsBefore?: Map<string, number>;
}

/** Compares what must be stored with what is, once. */
export async function deliveryReport(
  stack: VillageStack,
  expectation: DeliveryExpectation,
): Promise<DeliveryReport> {
  const sent = sentSnapshot(expectation);
  const stored = await storedSeqs(stack);
  return compare(sent, stored, expectation);
}

/** Waits until everything sent so far is stored (or `timeoutMs` passed), then reports. */
export async function awaitDelivery(
  stack: VillageStack,
  expectation: DeliveryExpectation,
  timeoutMs = 60_000,
): Promise<DeliveryReport> {
  const sent = sentSnapshot(expectation);
  let last: DeliveryReport | undefined;
  try {
    await waitFor(
      'every sent seq in InfluxDB',
      async () => {
        last = compare(sent, await storedSeqs(stack), expectation);
        return last.missing.length === 0;
      },
      { timeoutMs, intervalMs: 1000 },
    );
  } catch {
    // the report says what is missing
  }
  return last ?? compare(sent, await storedSeqs(stack), expectation);
}

/** A short, readable summary for assertion messages and logs. */
export function summary(report: DeliveryReport): string {
  const missing = report.missing.reduce((n, m) => n + m.seqs.length, 0);
  const sample = report.missing
    .slice(0, 3)
    .map((m) => `${m.device}: ${m.seqs.slice(0, 5).join(',')}${m.seqs.length > 5 ? '…' : ''}`)
    .join('; ');
  return (
    `sent ${report.sent}, stored ${report.stored} points, missing ${missing}${sample ? ` (${sample})` : ''}, ` +
    `duplicated ${report.duplicated.length}, unexplained gaps ${report.gaps.length}` +
    `${
      report.gaps.length
        ? ` (${report.gaps
            .slice(0, 3)
            .map((g) => `${g.device} ${g.after}→${g.before}`)
            .join('; ')})`
        : ''
    }, ` +
    `crash skips ${report.crashSkips}`
  );
}

function sentSnapshot(expectation: DeliveryExpectation): Map<string, Set<number>> {
  const sent = new Map<string, Set<number>>();
  const merge = (source: ReadonlyMap<string, ReadonlySet<number>>) => {
    for (const [device, seqs] of source) {
      let set = sent.get(device);
      if (!set) sent.set(device, (set = new Set()));
      for (const seq of seqs) set.add(seq);
    }
  };
  merge(expectation.ledger.seqs);
  if (expectation.load) merge(expectation.load.acked);
  return sent;
}

function compare(
  sent: ReadonlyMap<string, ReadonlySet<number>>,
  stored: ReadonlyMap<string, readonly number[]>,
  expectation: DeliveryExpectation,
): DeliveryReport {
  const report: DeliveryReport = {
    devices: sent.size,
    sent: 0,
    stored: 0,
    missing: [],
    duplicated: [],
    gaps: [],
    crashSkips: 0,
  };
  for (const [device, seqs] of stored) {
    report.stored += seqs.length;
    const counts = new Map<number, number>();
    for (const seq of seqs) counts.set(seq, (counts.get(seq) ?? 0) + 1);
    for (const [seq, points] of counts) if (points > 1) report.duplicated.push({ device, seq, points });
  }
  for (const [device, seqs] of sent) {
    report.sent += seqs.size;
    const have = new Set(stored.get(device) ?? []);
    const missing = [...seqs].filter((s) => !have.has(s)).sort((a, b) => a - b);
    if (missing.length > 0) report.missing.push({ device, seqs: missing });
  }
  for (const [device, seqs] of sent) {
    // Only below the snapshot's last seq is the evidence complete: ingest writes two batches
    // at once and retries each on its own, so a later seq may be stored before an earlier
    // one that was published after the snapshot was taken.
    let last = -1;
    for (const seq of seqs) if (seq < LOAD_SEQ_BASE && seq > last) last = seq;
    const seen = new Set<number>();
    const note = (seq: number) => {
      if (seq <= last) seen.add(seq);
    };
    for (const seq of seqs) note(seq);
    for (const seq of expectation.ledger.seqs.get(device) ?? []) note(seq);
    for (const seq of stored.get(device) ?? []) note(seq);
    const ordered = [...seen].sort((a, b) => a - b);
    const floor = expectation.ignoreGapsBefore?.get(device) ?? -1;
    let skipsLeft = expectation.gatewayCrashes ?? 0;
    for (let i = 1; i < ordered.length; i++) {
      const after = ordered[i - 1] as number;
      const before = ordered[i] as number;
      if (before - after <= 1 || before <= floor) continue;
      if (before - after >= CRASH_GAP_MIN && skipsLeft > 0) {
        skipsLeft--;
        report.crashSkips++;
        continue;
      }
      report.gaps.push({ device, after, before });
    }
  }
  return report;
}

const log = createLogger('faults');

/** Logs the numbers of one fault check (they end up in the report of the test run). */
export function logReport(fault: string, report: DeliveryReport, extra: Record<string, unknown> = {}): void {
  log.info({ fault, ...extra, result: summary(report) }, 'fault check');
}
