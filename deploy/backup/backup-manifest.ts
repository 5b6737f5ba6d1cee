import { z } from 'zod';

/** The backup folder's own format. A newer one is refused by an older `restore`, never guessed at. */
export const BACKUP_FORMAT_VERSION = 1;

export const MANIFEST_FILE = 'manifest.json';
/** `influxd backup -portable` output, inside the backup folder. */
export const INFLUX_FOLDER = 'influxdb';
/** Copies of the platform's state, one folder per area. */
export const STATE_FOLDER = 'state';

const fileEntrySchema = z.strictObject({
  /** Relative to the area's folder, `/`-separated. */
  path: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const backupManifestSchema = z.strictObject({
  format: z.literal('village-telemetry-backup'),
  version: z.number().int().min(1),
  createdAt: z.iso.datetime(),
  influx: z.strictObject({ database: z.string().min(1), folder: z.literal(INFLUX_FOLDER) }).optional(),
  /** Area name → its files. An area is a folder (or one file) of state, e.g. `broker`, `alerting`. */
  areas: z.record(
    z.string().regex(/^[a-z][a-z0-9-]*$/),
    z.strictObject({ kind: z.enum(['folder', 'file']), files: z.array(fileEntrySchema) }),
  ),
});

export type BackupManifest = z.infer<typeof backupManifestSchema>;
export type BackupArea = BackupManifest['areas'][string];

/**
 * The manifest of a backup, or a message that says what to do: a backup from a newer
 * release (its format is unknown here) is refused rather than half restored.
 */
export function parseManifest(raw: unknown, where: string): BackupManifest {
  const version = (raw as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > BACKUP_FORMAT_VERSION) {
    throw new Error(
      `${where} is backup format ${version}, newer than this release reads (${BACKUP_FORMAT_VERSION}): ` +
        'restore with the release that made it, or a newer one / 备份格式较新，请用生成它的版本恢复',
    );
  }
  const parsed = backupManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${where} is not a backup manifest of this platform: ${issues.join('; ')}`);
  }
  return parsed.data;
}
