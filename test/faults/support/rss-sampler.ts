import { rssBytes } from './process-rss.js';

export interface RssSample {
  atS: number;
  bytes: Record<string, number>;
}

/** Samples the RSS of named processes every `intervalMs` until stopped. */
export class RssSampler {
  readonly samples: RssSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(
    private readonly pids: () => Record<string, number | undefined>,
    private readonly intervalMs: number,
    private readonly onSample?: (sample: RssSample) => void,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  /** Largest RSS after `fromS` minus the first sample at or after `fromS`, per process. */
  growth(fromS: number): Record<string, number> {
    const later = this.samples.filter((s) => s.atS >= fromS);
    const base = later[0];
    const result: Record<string, number> = {};
    if (!base) return result;
    for (const name of Object.keys(base.bytes)) {
      const max = Math.max(...later.map((s) => s.bytes[name] ?? 0));
      result[name] = max - (base.bytes[name] ?? 0);
    }
    return result;
  }

  private sample(): void {
    const bytes: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids())) {
      if (pid === undefined) continue;
      try {
        bytes[name] = rssBytes(pid);
      } catch {
        // the process is gone (restarting): no sample
      }
    }
    const sample = { atS: Math.round((Date.now() - this.startedAt) / 1000), bytes };
    this.samples.push(sample);
    this.onSample?.(sample);
  }
}
