const DAY_MS = 24 * 3600_000;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** A daily local-time window such as 01:00–05:00 (may wrap past midnight) at a fixed UTC offset. */
export class TimeOfDayWindow {
  private readonly fromMin: number;
  private readonly durationMs: number;

  constructor(
    from: string,
    to: string,
    private readonly utcOffsetMinutes: number,
  ) {
    this.fromMin = minutesOf(from);
    const length = (minutesOf(to) - this.fromMin + 1440) % 1440;
    this.durationMs = (length === 0 ? 1440 : length) * 60_000;
  }

  /** Start (UTC ms) of the most recent window opening at or before `ts`. */
  startFor(ts: number): number {
    const offsetMs = this.utcOffsetMinutes * 60_000;
    const local = ts + offsetMs;
    let start = local - (((local % DAY_MS) + DAY_MS) % DAY_MS) + this.fromMin * 60_000;
    if (start > local) start -= DAY_MS;
    return start - offsetMs;
  }

  contains(ts: number): boolean {
    return ts < this.startFor(ts) + this.durationMs;
  }

  endOf(start: number): number {
    return start + this.durationMs;
  }
}
