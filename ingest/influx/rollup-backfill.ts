import type { Logger } from '../../runtime/index.js';
import {
  backfillRollups,
  LatePoints,
  resultRows,
  ROLLUP_LEVELS,
  runStatement,
  type InfluxAdminTarget,
} from '../../storage/index.js';

export interface RollupBackfillOptions {
  target: InfluxAdminTarget;
  database: string;
  everyMs: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Rolls up what the continuous queries missed: points written after their resample
 * window had passed (a gateway replaying an hour's outage). Without it those hours
 * would be missing from the 1-minute and hourly roll-ups, and so from the years of
 * history once the raw points expire. Runs every `everyMs` while there is something
 * to do; a failed run keeps its range for the next one.
 */
export class RollupBackfill {
  private readonly late = new LatePoints();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: RollupBackfillOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Timestamps (ms) of points InfluxDB has just accepted: one as a number, or several. */
  written(timestampsMs: number | Iterable<number>): void {
    this.late.note(timestampsMs, this.now());
  }

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.options.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One backfill of whatever is pending; resolves when it is done (or failed and kept for later). */
  runOnce(): Promise<void> {
    this.running ??= this.backfill().finally(() => (this.running = undefined));
    return this.running;
  }

  private async backfill(): Promise<void> {
    const range = this.late.take();
    if (!range) return;
    const { target, database, logger } = this.options;
    try {
      const rawRp = await this.rawRetentionPolicy();
      // Roll-ups not set up here (storage not managed by ingest): nothing to fill.
      if (rawRp === undefined) return;
      const written = await backfillRollups(target, database, rawRp, range.fromMs, range.toMs + 1);
      logger.info(
        { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString(), written },
        '迟到数据已汇总 / late points rolled up',
      );
    } catch (error) {
      this.late.add(range);
      logger.warn(
        { err: (error as Error).message },
        '迟到数据汇总失败，稍后重试 / could not roll up late points; will retry',
      );
    }
  }

  /** The database's default retention policy, where raw points go; undefined without the roll-ups. */
  private async rawRetentionPolicy(): Promise<string | undefined> {
    const { target, database } = this.options;
    const rows = resultRows(await runStatement(target, database, `SHOW RETENTION POLICIES ON "${database}"`));
    const names = new Set(rows.map((row) => String(row.name)));
    if (!ROLLUP_LEVELS.every((level) => names.has(level.rp))) return undefined;
    const raw = rows.find((row) => row.default === true);
    return raw ? String(raw.name) : undefined;
  }
}
