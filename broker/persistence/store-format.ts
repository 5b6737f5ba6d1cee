import type { ClassicLevel } from 'classic-level';
import { LEVEL_KEY_PREFIXES } from './level-key-prefixes.js';

/** Where the session store says what wrote it; aedes-persistence-level never uses this key. */
export const FORMAT_KEY = 'village-format';
export const STORE_FORMAT = { store: 'aedes-persistence-level', version: 1 } as const;

const LEVEL_PREFIXES: readonly string[] = Object.values(LEVEL_KEY_PREFIXES);

/**
 * Checks that the sessions folder holds this store's format before the broker uses it,
 * and marks a new (or pre-marker) folder with it. A folder written by the `journal` store
 * of earlier releases, or by a newer release, is refused with what to do: read as this
 * format it would silently lose the messages queued in it.
 */
export async function checkStoreFormat(db: ClassicLevel<string, Buffer>, dir: string): Promise<void> {
  const marker = await db.get(FORMAT_KEY);
  if (marker !== undefined) {
    const found = parseMarker(marker);
    if (found?.store === STORE_FORMAT.store && found.version === STORE_FORMAT.version) return;
    throw new Error(
      `the broker's session store in ${dir} is ${found ? `${found.store} format ${found.version}` : 'of an unknown format'}, ` +
        `this release reads ${STORE_FORMAT.store} format ${STORE_FORMAT.version}: start the release that wrote it, ` +
        'or move the folder away (its queued messages are then lost) / 会话目录格式不符，请用写入它的版本启动，或移走该目录',
    );
  }
  const keys = await db.keys({ limit: 16 }).all();
  const foreign = keys.find((key) => !LEVEL_PREFIXES.some((prefix) => key.startsWith(prefix)));
  if (foreign !== undefined) {
    throw new Error(
      `the broker's session store in ${dir} was written by the journal store of an earlier release (key "${foreign}"), ` +
        'which this release no longer has: start the earlier release once with ingest and alerting running so their ' +
        'queues drain, then move the folder away / 会话目录由旧版 journal 存储写入：请先用旧版运行到队列清空，再移走该目录',
    );
  }
  // Empty, or written by aedes-persistence-level before the marker existed: the same format.
  await db.put(FORMAT_KEY, Buffer.from(JSON.stringify(STORE_FORMAT)), { sync: true });
}

function parseMarker(value: Buffer): { store: string; version: number } | undefined {
  try {
    const parsed = JSON.parse(value.toString('utf8')) as { store?: unknown; version?: unknown };
    return typeof parsed.store === 'string' && typeof parsed.version === 'number'
      ? { store: parsed.store, version: parsed.version }
      : undefined;
  } catch {
    return undefined;
  }
}
