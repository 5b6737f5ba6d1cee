import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, describe, expect, it } from 'vitest';
import { openPersistence } from './open-persistence.js';
import { brokerPersistenceSchema } from './persistence-config.js';
import { FORMAT_KEY } from './store-format.js';

const root = mkdtempSync(join(tmpdir(), 'store-format-'));
let folders = 0;

/** A sessions folder holding these keys, as an earlier release left it. */
async function folderWith(entries: Record<string, string>): Promise<string> {
  const dir = join(root, String(folders++));
  const db = new ClassicLevel<string, Buffer>(dir, { valueEncoding: 'buffer' });
  await db.open();
  for (const [key, value] of Object.entries(entries)) await db.put(key, Buffer.from(value));
  await db.close();
  return dir;
}

const open = (dir: string) => openPersistence(brokerPersistenceSchema.parse({ backend: 'disk', dir }));

async function markerOf(dir: string): Promise<unknown> {
  const db = new ClassicLevel<string, Buffer>(dir, { valueEncoding: 'buffer' });
  await db.open();
  const value = await db.get(FORMAT_KEY);
  await db.close();
  return value === undefined ? undefined : (JSON.parse(value.toString()) as unknown);
}

describe('the session store says which format it holds', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('marks a new folder, and one aedes-persistence-level wrote before the mark existed', async () => {
    for (const dir of [join(root, 'new'), await folderWith({ 'subscriptions:ingest-1:v1/#': 'x' })]) {
      const opened = await open(dir);
      await opened.close();
      expect(await markerOf(dir)).toEqual({ store: 'aedes-persistence-level', version: 1 });
    }
  });

  it("refuses the journal store's folder of an earlier release, saying what to do", async () => {
    const dir = await folderWith({ 'blk:1': 'x', 'sub:ingest-1': 'y' });
    await expect(open(dir)).rejects.toThrow(
      /written by the journal store of an earlier release.*queues drain/,
    );
  });

  it('refuses a folder of a newer format', async () => {
    const dir = await folderWith({
      [FORMAT_KEY]: JSON.stringify({ store: 'aedes-persistence-level', version: 2 }),
    });
    await expect(open(dir)).rejects.toThrow(
      /aedes-persistence-level format 2, this release reads .* format 1/,
    );
  });
});
