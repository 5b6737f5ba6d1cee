import { Counter, type Registry } from 'prom-client';

export interface HotCounterOptions<Value extends string> {
  name: string;
  help: string;
  labelName: string;
  /** Shown as 0 from the start, so a rate() over them works before the first increment. */
  values: readonly Value[];
  registers: Registry[];
}

/** One label value's running total. */
export interface HotCount {
  inc(by?: number): void;
}

/**
 * A one-label Prometheus counter for code that runs per message: an increment adds to a
 * plain number, and the totals reach prom-client only when /metrics is read. prom-client's
 * own inc() builds a label key string and a result object on every call; on the broker's
 * publish path that was about 3 % of its CPU per message at 100 k messages/s.
 */
export class HotCounter<Value extends string> {
  private readonly counts = new Map<string, { total: number; inc(by?: number): void }>();

  constructor(private readonly options: HotCounterOptions<Value>) {
    const counts = this.counts;
    for (const value of options.values) this.child(value);
    new Counter({
      name: options.name,
      help: options.help,
      labelNames: [options.labelName],
      registers: options.registers,
      collect() {
        this.reset();
        for (const [value, count] of counts) this.inc({ [options.labelName]: value }, count.total);
      },
    });
  }

  /** The running total of one label value: bind it once, outside the hot path. */
  child(value: Value): HotCount {
    const options = this.options;
    const existing = this.counts.get(value);
    if (existing !== undefined) return existing;
    const count = {
      total: 0,
      // Bound to its count, so `const { inc } = counter.child(...)` works too.
      inc: (by = 1) => {
        if (!(by >= 0 && by < Number.POSITIVE_INFINITY)) {
          throw new RangeError(`${options.name}: a counter only grows by a finite amount, not ${by}`);
        }
        count.total += by;
      },
    };
    this.counts.set(value, count);
    return count;
  }

  inc(value: Value, by = 1): void {
    this.child(value).inc(by);
  }
}
