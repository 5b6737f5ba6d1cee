import { EVENT_LABELS, type EventType } from '../../contracts/index.js';
import { backoffMs, type Logger } from '../../runtime/index.js';
import type { Alert } from '../engine/alert-schema.js';
import type { Transition } from '../engine/alert-book.js';
import { toLine } from './line-protocol.js';

export interface InfluxHistoryOptions {
  url: string;
  database: string;
  logger: Logger;
  username?: string | undefined;
  password?: string | undefined;
  batchSize?: number;
  flushIntervalMs?: number;
  /** Oldest lines are dropped (and counted) beyond this many queued. */
  maxQueue?: number;
  onWritten?: (lines: number) => void;
  onDropped?: (lines: number) => void;
  onFailed?: () => void;
}

const RECORDED: ReadonlySet<Transition> = new Set(['firing', 'resolved', 'acknowledged']);

/**
 * Alert history as the `alert` measurement in InfluxDB 1.x through the v1 `/write`
 * endpoint: queued, written in batches in the background with retries, so the engine
 * never waits for the database.
 */
export class InfluxHistory {
  private queue: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private running = false;
  /** Last timestamp used per series: two rows of one series in one millisecond would overwrite each other. */
  private readonly lastTs = new Map<string, number>();
  private databaseReady = false;

  constructor(private readonly options: InfluxHistoryOptions) {}

  get queued(): number {
    return this.queue.length;
  }

  start(): void {
    this.running = true;
    this.schedule(0);
  }

  /** Writes what is queued (one try), then stops. */
  async stop({ flush = true }: { flush?: boolean } = {}): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (flush && this.queue.length > 0) await this.flushOnce().catch(() => undefined);
  }

  /**
   * Re-queues the rows of journalled alerts at start: rows still queued when the process
   * died are written after all, and rows already written overwrite themselves (same
   * series and timestamp), so history survives a crash without a journal of its own.
   */
  backfill(alerts: readonly Alert[]): void {
    for (const alert of [...alerts].sort((a, b) => a.startedAt - b.startedAt)) {
      if (alert.firedAt !== undefined) this.record(alert, 'firing', alert.firedAt);
      if (alert.ack) this.record(alert, 'acknowledged', alert.ack.at);
      if (alert.resolvedAt !== undefined) this.record(alert, 'resolved', alert.resolvedAt);
    }
  }

  record(alert: Alert, transition: Transition, at: number): void {
    if (!RECORDED.has(transition)) return;
    const state = transition;
    const tags = { site: alert.site, zone: alert.zone, rule: alert.ruleId, severity: alert.severity, state };
    const series = Object.values(tags).join('|');
    const previous = this.lastTs.get(series) ?? 0;
    const ts = Math.max(at, previous + 1);
    this.lastTs.set(series, ts);
    if (this.lastTs.size > 10_000) this.lastTs.clear();
    // The en boards read message, the zh ones message_zh (storage/influx-schema.ts); an
    // event alert without details is named by its event.
    const label = EVENT_LABELS[alert.threshold as EventType] as { zh: string; en: string } | undefined;
    const message = alert.detail?.en ?? label?.en ?? alert.threshold ?? '';
    const messageZh = alert.detail?.zh ?? label?.zh ?? alert.threshold ?? '';
    this.queue.push(
      toLine({
        measurement: 'alert',
        tags,
        fields: {
          alert_id: alert.id,
          device: alert.device ?? alert.gateway ?? '',
          value: alert.value,
          message,
          message_zh: messageZh,
          // what the alerts dashboard's "time to acknowledge" reads
          ...(transition === 'acknowledged'
            ? { ack_delay_s: Math.max(0, (at - (alert.firedAt ?? alert.startedAt)) / 1000) }
            : {}),
        },
        timestampMs: ts,
      }),
    );
    const max = this.options.maxQueue ?? 50_000;
    if (this.queue.length > max) {
      const dropped = this.queue.splice(0, this.queue.length - max);
      this.options.onDropped?.(dropped.length);
      this.options.logger.warn({ dropped: dropped.length }, 'alert history queue full: oldest rows dropped');
    }
    if (this.queue.length >= (this.options.batchSize ?? 500)) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (!this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushOnce()
        .then(() => {
          this.failures = 0;
          this.schedule(this.queue.length > 0 ? 0 : (this.options.flushIntervalMs ?? 1_000));
        })
        .catch((error: unknown) => {
          this.failures += 1;
          this.options.onFailed?.();
          const wait = backoffMs(this.failures, 500, 30_000);
          this.options.logger.warn(
            { err: (error as Error).message, retryInMs: wait, queued: this.queue.length },
            'alert history write failed',
          );
          this.schedule(wait);
        })
        .finally(() => {
          this.flushing = undefined;
        });
    }, delayMs);
    this.timer.unref();
  }

  private async flushOnce(): Promise<void> {
    if (this.queue.length === 0) return;
    if (!this.databaseReady) await this.createDatabase();
    const batch = this.queue.slice(0, this.options.batchSize ?? 500);
    const params = new URLSearchParams({ db: this.options.database, precision: 'ms' });
    const response = await fetch(`${this.options.url.replace(/\/$/, '')}/write?${params}`, {
      method: 'POST',
      headers: this.authorization(),
      body: batch.join('\n'),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 400) {
      // A malformed batch never gets better: drop it, loudly, instead of retrying forever.
      const text = await response.text();
      this.queue.splice(0, batch.length);
      this.options.onDropped?.(batch.length);
      this.options.logger.error(
        { status: 400, err: text.slice(0, 300) },
        'InfluxDB rejected alert history rows',
      );
      return;
    }
    if (response.status !== 204)
      throw new Error(
        `InfluxDB /write answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
      );
    this.queue.splice(0, batch.length);
    this.options.onWritten?.(batch.length);
  }

  /** CREATE DATABASE is idempotent in InfluxDB 1.x. */
  private async createDatabase(): Promise<void> {
    const body = new URLSearchParams({ q: `CREATE DATABASE "${this.options.database.replace(/"/g, '')}"` });
    const response = await fetch(`${this.options.url.replace(/\/$/, '')}/query`, {
      method: 'POST',
      headers: this.authorization(),
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`CREATE DATABASE answered ${response.status}`);
    this.databaseReady = true;
  }

  /**
   * InfluxDB 1.x takes Basic auth as well as `u`/`p` parameters; in a header the
   * password stays out of URLs, which proxies and access logs keep.
   */
  private authorization(): Record<string, string> {
    const { username, password } = this.options;
    if (!username) return {};
    return { authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` };
  }
}
