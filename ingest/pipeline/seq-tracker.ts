export type SeqVerdict =
  | { kind: 'first' }
  | { kind: 'next' }
  | { kind: 'gap'; missing: number }
  | { kind: 'duplicate' }
  | { kind: 'reset' };

/**
 * Last seq per device, in memory only (a restart forgets it: the first message after
 * a restart is never counted as a gap). A seq far below the last one means the
 * gateway restarted its counter rather than a replay.
 */
export class SeqTracker {
  private readonly last = new Map<string, number>();

  constructor(private readonly resetThreshold = 1000) {}

  observe(deviceKey: string, seq: number): SeqVerdict {
    const previous = this.last.get(deviceKey);
    if (previous === undefined) {
      this.last.set(deviceKey, seq);
      return { kind: 'first' };
    }
    if (seq === previous + 1) {
      this.last.set(deviceKey, seq);
      return { kind: 'next' };
    }
    if (seq > previous + 1) {
      this.last.set(deviceKey, seq);
      return { kind: 'gap', missing: seq - previous - 1 };
    }
    if (previous - seq > this.resetThreshold) {
      this.last.set(deviceKey, seq);
      return { kind: 'reset' };
    }
    return { kind: 'duplicate' };
  }
}
