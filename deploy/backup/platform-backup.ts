import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BACKUP_FORMAT_VERSION,
  INFLUX_FOLDER,
  MANIFEST_FILE,
  parseManifest,
  STATE_FOLDER,
  type BackupManifest,
} from './backup-manifest.js';
import { backupInflux, type InfluxRpc } from './influx-portable.js';
import { copyAreaOut } from './state-copy.js';

export interface BackupSource {
  /** Leave out to back up only the platform's own state. */
  influx?: InfluxRpc & { database: string };
  /** Area name → the folder (or single file) holding it on this machine. */
  areas: Readonly<Record<string, string>>;
}

export interface TakenBackup {
  folder: string;
  manifest: BackupManifest;
}

/** `village-2026-11-30T03-30-00Z`: sorts by time, safe in every file system. */
const BACKUP_NAME = /^village-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2})Z$/;

/**
 * One complete backup in a new folder under `root`: InfluxDB in portable format and a
 * copy of each state area, with a manifest listing every file's SHA-256. It is written
 * under a temporary name and renamed when complete, so a folder named `village-…` is
 * always a whole backup.
 */
export async function takeBackup(source: BackupSource, root: string, now = new Date()): Promise<TakenBackup> {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const name = `village-${now.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
  const folder = join(root, name);
  const partial = join(root, `.${name}.partial`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { mode: 0o700 });
  try {
    if (source.influx)
      await backupInflux(source.influx, source.influx.database, join(partial, INFLUX_FOLDER));
    const areas = Object.fromEntries(
      Object.entries(source.areas).map(([area, path]) => [
        area,
        copyAreaOut(path, join(partial, STATE_FOLDER, area)),
      ]),
    );
    const manifest: BackupManifest = {
      format: 'village-telemetry-backup',
      version: BACKUP_FORMAT_VERSION,
      createdAt: now.toISOString(),
      ...(source.influx ? { influx: { database: source.influx.database, folder: INFLUX_FOLDER } } : {}),
      areas,
    };
    writeFileSync(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    if (existsSync(folder)) throw new Error(`${folder} exists already`);
    renameSync(partial, folder);
    return { folder, manifest };
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}

/** The manifest of a backup folder, checked (a newer format is refused with what to do). */
export function readBackup(folder: string): BackupManifest {
  const file = join(folder, MANIFEST_FILE);
  if (!existsSync(file))
    throw new Error(`${folder} holds no ${MANIFEST_FILE}: not a backup of this platform`);
  return parseManifest(JSON.parse(readFileSync(file, 'utf8')) as unknown, file);
}

/** Whole backups under `root`, oldest first, with the time each was taken. */
export function listBackups(root: string): Array<{ folder: string; takenAt: Date }> {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .flatMap((name) => {
      const match = BACKUP_NAME.exec(name);
      if (!match?.[1]) return [];
      const [date, time] = match[1].split('T') as [string, string];
      return [{ folder: join(root, name), takenAt: new Date(`${date}T${time.replace(/-/g, ':')}Z`) }];
    })
    .sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
}

/**
 * Deletes backups older than `keepDays`, and the leftovers of interrupted ones. The
 * newest backup is never deleted, however old: a server whose backups stopped keeps
 * its last good one.
 */
export function pruneBackups(root: string, keepDays: number, now = new Date()): string[] {
  const backups = listBackups(root);
  const cutoff = now.getTime() - keepDays * 86_400_000;
  const expired = backups.slice(0, -1).filter((b) => b.takenAt.getTime() < cutoff);
  for (const backup of expired) rmSync(backup.folder, { recursive: true, force: true });
  for (const name of existsSync(root) ? readdirSync(root) : []) {
    if (name.startsWith('.village-') && name.endsWith('.partial'))
      rmSync(join(root, name), { recursive: true, force: true });
  }
  return expired.map((b) => b.folder);
}
