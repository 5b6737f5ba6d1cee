import { z } from 'zod';
import { configNumber, loadConfig, type EnvMap } from '../../runtime/index.js';

const path = z.string().min(1);

/**
 * The backup service of docker-compose.yml, and the defaults of `deploy/cli.ts backup`
 * and `restore`: where backups go, how long they are kept, when they run, and where
 * each piece of the platform's state lives.
 */
export const backupConfigSchema = z.strictObject({
  dir: path.default('./backups'),
  /** Backups older than this are deleted after each new one (the newest is always kept). */
  keepDays: configNumber()
    .pipe(z.number().int().min(1, 'keep at least 1 day, e.g. 14').max(3650))
    .default(14),
  /** Local time of the daily backup (the container's TZ). */
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, e.g. 03:30')
    .default('03:30'),
  influx: z
    .strictObject({
      /** influxd's RPC address (its `bind-address`, 8088), where `influxd backup` connects. */
      host: path.default('127.0.0.1:8088'),
      database: z.string().min(1).default('village'),
      binary: path.default('influxd'),
    })
    .prefault({}),
  /** State areas; each one set is backed up as a copy of that folder (broker sessions excepted). */
  areas: z
    .strictObject({
      /** The broker's credentials (hashes) and client-id bindings. */
      broker: path.optional(),
      /** Alerting's journal (alerts, acknowledgements, silences), people and duty roster. */
      alerting: path.optional(),
      /** Ingest's dead letters. */
      ingest: path.optional(),
      /** Which monthly reports were mailed. */
      reports: path.optional(),
      /** Mounted config files and site files (with their enrolled devices). */
      config: path.optional(),
    })
    .prefault({}),
  http: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: configNumber().pipe(z.number().int().min(0).max(65535)).default(9107),
    })
    .prefault({}),
});

export type BackupConfig = z.infer<typeof backupConfigSchema>;

export const BACKUP_ENV: EnvMap = {
  BACKUP_DIR: 'dir',
  BACKUP_KEEP_DAYS: 'keepDays',
  BACKUP_AT: 'at',
  BACKUP_INFLUX_HOST: 'influx.host',
  INFLUX_DATABASE: 'influx.database',
  BACKUP_INFLUXD_BINARY: 'influx.binary',
  BACKUP_BROKER_DIR: 'areas.broker',
  BACKUP_ALERTING_DIR: 'areas.alerting',
  BACKUP_INGEST_DIR: 'areas.ingest',
  BACKUP_REPORTS_DIR: 'areas.reports',
  BACKUP_CONFIG_DIR: 'areas.config',
  BACKUP_HTTP_HOST: 'http.host',
  BACKUP_HTTP_PORT: 'http.port',
};

export function loadBackupConfig(options: { env?: NodeJS.ProcessEnv } = {}): Readonly<BackupConfig> {
  return loadConfig({ schema: backupConfigSchema, envMap: BACKUP_ENV, ...options });
}

/** The configured areas as name → path, the shape `takeBackup` and `restoreBackup` take. */
export function configuredAreas(config: BackupConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config.areas).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Milliseconds from `now` to the next `HH:MM` in local time (tomorrow's when today's has passed). */
export function msUntil(at: string, now: Date): number {
  const [hours, minutes] = at.split(':').map(Number) as [number, number];
  const next = new Date(now);
  next.setHours(hours, minutes, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next.getTime() - now.getTime();
}
