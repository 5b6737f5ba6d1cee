import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { BackupArea } from './backup-manifest.js';

/** Sub-folders of an area that are not state worth restoring (rebuilt or refilled by the service). */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set([
  // The broker's session store: queues in flight, meaningless on another server and inconsistent
  // when copied from a running broker; gateways keep every unacknowledged reading themselves.
  'sessions',
]);

/**
 * Copies one area (a folder or a single file) into `target`, keeping modes, and lists each
 * file with its size and SHA-256. A missing area is an empty one (a service not yet started).
 */
export function copyAreaOut(source: string, target: string): BackupArea {
  if (!existsSync(source)) return { kind: 'folder', files: [] };
  if (statSync(source).isFile()) {
    mkdirSync(target, { recursive: true, mode: 0o700 });
    const name = source.split(sep).at(-1) as string;
    return { kind: 'file', files: [copyOne(source, join(target, name), name)] };
  }
  const files = listFiles(source).map((path) => copyOne(join(source, path), join(target, path), path));
  return { kind: 'folder', files };
}

/**
 * Puts an area back at `destination` from the backup's copy in `from`, checking every
 * file against the manifest first: a damaged backup restores nothing.
 */
export function copyAreaIn(from: string, area: BackupArea, destination: string): void {
  for (const file of area.files) {
    const copy = join(from, file.path);
    if (!existsSync(copy)) throw new Error(`the backup misses ${copy}`);
    if (sha256(copy) !== file.sha256)
      throw new Error(`${copy} does not match its checksum: the backup is damaged`);
  }
  for (const file of area.files) {
    const target = area.kind === 'file' ? destination : join(destination, file.path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    copyFileSync(join(from, file.path), target);
  }
}

/** True when a restore would overwrite something: the area exists and holds files. */
export function areaHoldsData(path: string): boolean {
  if (!existsSync(path)) return false;
  return statSync(path).isFile() || listFiles(path).length > 0;
}

function listFiles(root: string): string[] {
  return (readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((path) => !path.split(sep).some((part) => SKIPPED_FOLDERS.has(part)))
    .filter((path) => {
      const stat = lstatSync(join(root, path));
      return stat.isFile();
    })
    .sort()
    .map((path) => relative(root, join(root, path)).split(sep).join('/'));
}

function copyOne(source: string, target: string, path: string): BackupArea['files'][number] {
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  copyFileSync(source, target);
  return { path, bytes: statSync(target).size, sha256: sha256(target) };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
