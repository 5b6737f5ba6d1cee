import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';
import {
  createLogger,
  createMetricsRegistry,
  createServiceHttp,
  type Component,
  type Logger,
} from '../../runtime/index.js';
import { configuredAreas, msUntil, type BackupConfig } from './backup-config.js';
import { pruneBackups, takeBackup } from './platform-backup.js';

/**
 * Takes a backup every day at `config.at` and prunes the old ones. /readyz turns 503 when
 * the last attempt failed, so `docker compose ps` shows a backup that stopped working;
 * /metrics has the time of the last good one.
 */
export class BackupService implements Component {
  private http: FastifyInstance | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastFailed = false;
  private running: Promise<void> | undefined;
  private readonly logger: Logger;
  private readonly registry = createMetricsRegistry('backup');
  private readonly lastSuccess = new Gauge({
    name: 'backup_last_success_timestamp_seconds',
    help: 'When the last complete backup was taken',
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: 'backup_failures_total',
    help: 'Backups that failed',
    registers: [this.registry],
  });
  private readonly duration = new Gauge({
    name: 'backup_last_duration_seconds',
    help: 'How long the last backup took',
    registers: [this.registry],
  });

  constructor(
    private readonly config: Readonly<BackupConfig>,
    options: { logger?: Logger } = {},
  ) {
    this.logger = options.logger ?? createLogger('backup');
  }

  async start(): Promise<void> {
    const http = createServiceHttp({
      logger: this.logger,
      registry: this.registry,
      readiness: [{ name: 'last_backup', check: () => !this.lastFailed }],
    });
    await http.listen({ host: this.config.http.host, port: this.config.http.port });
    this.http = http;
    this.schedule();
    this.logger.info(
      {
        dir: this.config.dir,
        at: this.config.at,
        keepDays: this.config.keepDays,
        areas: configuredAreas(this.config),
      },
      'backups scheduled',
    );
  }

  /** One backup now, then the old ones pruned. */
  runOnce(now = new Date()): Promise<void> {
    this.running ??= this.backUp(now).finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await this.http?.close();
  }

  private schedule(): void {
    this.timer = setTimeout(
      () => {
        void this.runOnce().finally(() => this.schedule());
      },
      msUntil(this.config.at, new Date()),
    );
  }

  private async backUp(now: Date): Promise<void> {
    const started = Date.now();
    try {
      const { folder } = await takeBackup(
        { influx: { ...this.config.influx }, areas: configuredAreas(this.config) },
        this.config.dir,
        now,
      );
      const pruned = pruneBackups(this.config.dir, this.config.keepDays, now);
      this.lastFailed = false;
      this.lastSuccess.set(Date.now() / 1000);
      this.logger.info({ folder, pruned, ms: Date.now() - started }, 'backup taken');
    } catch (error) {
      this.lastFailed = true;
      this.failures.inc();
      this.logger.error({ err: error }, 'backup failed / 备份失败');
    } finally {
      this.duration.set((Date.now() - started) / 1000);
    }
  }
}
