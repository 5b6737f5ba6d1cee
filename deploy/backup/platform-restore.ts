import { join } from 'node:path';
import { INFLUX_FOLDER, STATE_FOLDER } from './backup-manifest.js';
import { restoreInflux, type InfluxRpc } from './influx-portable.js';
import { readBackup } from './platform-backup.js';
import { areaHoldsData, copyAreaIn } from './state-copy.js';

export interface RestoreTarget {
  /** Leave out to restore only the platform's state. */
  influx?: InfluxRpc;
  /** Area name → where it goes on this server; areas of the backup not named here are refused. */
  areas: Readonly<Record<string, string>>;
  /** Overwrite areas that already hold files (default: refuse, a restore is for a fresh server). */
  force?: boolean;
}

/**
 * Brings a fresh server back from one backup folder: every state area in place (checked
 * against its checksums before anything is written), then InfluxDB. Start the services
 * afterwards; they read the restored files as their own.
 */
export async function restoreBackup(folder: string, target: RestoreTarget): Promise<string[]> {
  const manifest = readBackup(folder);
  const unplaced = Object.keys(manifest.areas).filter((area) => !(area in target.areas));
  if (unplaced.length > 0) {
    throw new Error(
      `the backup has areas this restore does not place: ${unplaced.join(', ')} (name a path for each)`,
    );
  }
  if (!target.force) {
    const occupied = Object.keys(manifest.areas).filter((area) =>
      areaHoldsData(target.areas[area] as string),
    );
    if (occupied.length > 0) {
      throw new Error(
        `not restoring over existing state: ${occupied.map((a) => `${a} (${target.areas[a]})`).join(', ')}; ` +
          'restore into an empty server, or pass --force / 目标已有数据，不覆盖',
      );
    }
  }
  for (const [area, content] of Object.entries(manifest.areas)) {
    copyAreaIn(join(folder, STATE_FOLDER, area), content, target.areas[area] as string);
  }
  if (manifest.influx && target.influx) {
    await restoreInflux(target.influx, manifest.influx.database, join(folder, INFLUX_FOLDER));
  }
  return Object.keys(manifest.areas);
}
