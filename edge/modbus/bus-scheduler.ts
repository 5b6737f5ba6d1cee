import { delay } from '../../runtime/index.js';

export interface BusSchedulerOptions {
  /** Transactions allowed at once: 1 on a serial line. */
  concurrency: number;
  /** Silence kept after each transaction before the next starts (the RTU inter-frame gap). */
  gapMs: number;
}

/**
 * Grants the bus to one task at a time (or `concurrency` on Modbus TCP), in arrival
 * order, keeping `gapMs` of silence after each. A task holds the bus only while it
 * runs: retries wait outside, so a dead meter's back-off never blocks its neighbours.
 */
export class BusScheduler {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: BusSchedulerOptions) {}

  /** Tasks waiting for the bus (for metrics and tests). */
  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      if (this.options.gapMs > 0) await delay(this.options.gapMs);
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.options.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
