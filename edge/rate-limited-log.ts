import type { Logger } from '../runtime/index.js';

/**
 * Logs a recurring problem at most once per window per key, with how many times it
 * was suppressed meanwhile, so a meter with a bad register cannot flood the log.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 60_000,
  ) {}

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    const entry = this.last.get(key);
    if (entry && now - entry.at < this.windowMs) {
      entry.suppressed++;
      return;
    }
    this.last.set(key, { at: now, suppressed: 0 });
    this.logger.warn({ ...fields, suppressed: entry?.suppressed ?? 0 }, message);
  }
}
