export type SeqVerdict =
  | { kind: 'first' }
  | { kind: 'next' }
  | { kind: 'gap'; missing: number }
  | { kind: 'duplicate' }
  | { kind: 'reset' };

// Shared answers: `observe` runs for every reading and must not allocate for the common ones.
const FIRST: SeqVerdict = Object.freeze({ kind: 'first' });
const NEXT: SeqVerdict = Object.freeze({ kind: 'next' });
const DUPLICATE: SeqVerdict = Object.freeze({ kind: 'duplicate' });
const RESET: SeqVerdict = Object.freeze({ kind: 'reset' });

/**
 * Last seq per device, in memory only (a restart forgets it: the first message after
 * a restart is never counted as a gap). A seq far below the last one means the
 * gateway restarted its counter rather than a replay.
 */
export class SeqTracker {
  /** One tracker per site, keyed by device id: no key string is built per reading. */
  static perSite(): (site: string) => SeqTracker {
    const trackers = new Map<string, SeqTracker>();
    return (site) => {
      let tracker = trackers.get(site);
      if (!tracker) {
        tracker = new SeqTracker();
        trackers.set(site, tracker);
      }
      return tracker;
    };
  }

  private readonly last = new Map<string, number>();

  constructor(private readonly resetThreshold = 1000) {}

  observe(deviceKey: string, seq: number): SeqVerdict {
    const previous = this.last.get(deviceKey);
    if (previous === undefined) {
      this.last.set(deviceKey, seq);
      return FIRST;
    }
    if (seq === previous + 1) {
      this.last.set(deviceKey, seq);
      return NEXT;
    }
    if (seq > previous + 1) {
      this.last.set(deviceKey, seq);
      return { kind: 'gap', missing: seq - previous - 1 };
    }
    if (previous - seq > this.resetThreshold) {
      this.last.set(deviceKey, seq);
      return RESET;
    }
    return DUPLICATE;
  }
}
