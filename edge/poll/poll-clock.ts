interface Waiter {
  dueMs: number;
  wake: () => void;
}

/**
 * One timer for all the devices of a bus. Each device waits here until its next poll is
 * due; the clock keeps the waits in due order and arms a single timer for the earliest,
 * so the devices of a bus that fall due together (a bus of meters polled every second)
 * wake on one timer. A timer, a promise and an abort listener per device and poll were a
 * tenth of the gateway's own CPU at 100 meters a second and, living a whole interval,
 * were carried into V8's old generation, which then needs full collections.
 */
export class PollClock {
  /** Sorted by `dueMs`; waits due at the same time keep their arrival order. */
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedForMs = Infinity;
  private closed = false;

  /** Monotonic (performance.now()): a wall clock set back by NTP must not stall the polls. */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The clock's time, ms; what `until` takes. */
  time(): number {
    return this.now();
  }

  /** Resolves once `dueMs` (this clock's time) has come, or at once when the clock is closed. */
  until(dueMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((wake) => {
      this.insert({ dueMs, wake });
      this.arm();
    });
  }

  /** Wakes every wait now; later waits return at once (the bus is stopping). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.wake();
  }

  private insert(waiter: Waiter): void {
    const list = this.waiters;
    // Mostly appended: due times grow, so the search starts from the end.
    let at = list.length;
    while (at > 0 && (list[at - 1] as Waiter).dueMs > waiter.dueMs) at--;
    list.splice(at, 0, waiter);
  }

  private arm(): void {
    const first = this.waiters[0];
    if (!first || first.dueMs >= this.armedForMs) return;
    clearTimeout(this.timer);
    this.armedForMs = first.dueMs;
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.dueMs - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedForMs = Infinity;
    const now = this.now();
    let due = 0;
    while (due < this.waiters.length && (this.waiters[due] as Waiter).dueMs <= now) due++;
    const woken = this.waiters.splice(0, due);
    for (const waiter of woken) waiter.wake();
    this.arm();
  }
}
