import type { Logger } from '../../runtime/index.js';
import { KeyedTokenBuckets } from '../admission/keyed-token-buckets.js';

/** Lines a second, on average, that refusals may write; ten seconds' worth at once. */
const LINES_PER_SECOND = 20;

/**
 * Warnings about refused clients (logins, publishes, subscriptions), at most
 * LINES_PER_SECOND on average: a flood of bad CONNECTs must not become a flood of log
 * lines. What is left out is counted, and the next line says how many
 * (`suppressed`); the metrics count every refusal.
 */
export class RefusalLog {
  private readonly budget = new KeyedTokenBuckets({
    capacity: LINES_PER_SECOND * 10,
    refillPerSecond: LINES_PER_SECOND,
    maxKeys: 1,
  });
  private suppressed = 0;

  constructor(private readonly logger: Logger) {}

  warn(fields: Record<string, unknown>, message: string): void {
    if (!this.budget.take('lines')) {
      this.suppressed += 1;
      return;
    }
    const suppressed = this.suppressed;
    this.suppressed = 0;
    this.logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message);
  }
}
