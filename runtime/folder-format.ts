import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file.js';

/** What wrote a data folder: the store's name and the version of its on-disk format. */
export interface FolderFormat {
  store: string;
  version: number;
}

/** The marker file in a data folder; the store's own files (LevelDB's among them) never use this name. */
export const FOLDER_FORMAT_FILE = 'village-format.json';

/**
 * Checks that `dir` holds data in `format` before a store opens it, and marks a new
 * folder, or one written before markers existed (in format 1, the first there was), with
 * it. A folder in an earlier version `format` extends (`extendsVersions`: this release reads
 * it as it is) is marked as `format` from now on, so the release before refuses it instead of
 * misreading what this one adds. A folder in any other format is refused with what to do:
 * read as this one it could lose what it holds. `what` names the folder for the operator
 * ("the gateway's buffer").
 */
export function checkFolderFormat(
  dir: string,
  format: FolderFormat,
  what: string,
  extendsVersions: readonly number[] = [],
): void {
  const file = join(dir, FOLDER_FORMAT_FILE);
  const mark = () => writeFileAtomic(file, `${JSON.stringify(format)}\n`, 0o644);
  if (!existsSync(file)) return mark();
  const found = parseFormat(readFileSync(file, 'utf8'));
  if (found?.store === format.store && found.version === format.version) return;
  if (found?.store === format.store && extendsVersions.includes(found.version)) return mark();
  throw new Error(
    `${what} in ${dir} is ${found ? `${found.store} format ${found.version}` : `of an unknown format (${file})`}; ` +
      `this release reads ${format.store} format ${format.version}: start the release that wrote it, or move the ` +
      'folder away (what it holds is then lost) (docs/upgrades.md) / 数据目录格式与本版本不符：请用写入它的版本启动，或移走该目录',
  );
}

function parseFormat(text: string): FolderFormat | undefined {
  try {
    const parsed = JSON.parse(text) as { store?: unknown; version?: unknown } | null;
    return typeof parsed?.store === 'string' && typeof parsed.version === 'number'
      ? { store: parsed.store, version: parsed.version }
      : undefined;
  } catch {
    return undefined;
  }
}
