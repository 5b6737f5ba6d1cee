import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, describe, expect, it } from 'vitest';
import { recordBatches, type RecordedBatch } from '../test/recorded-batches.js';
import { GroupCommit } from './group-commit.js';

const root = mkdtempSync(join(tmpdir(), 'group-commit-'));
let folders = 0;

/** A real database whose batches are recorded (keys, sync), held at the disk by `before`. */
async function countedDatabase(before?: (n: number) => Promise<void> | void): Promise<{
  db: ClassicLevel<string, Buffer>;
  batches: RecordedBatch[];
}> {
  const db = new ClassicLevel<string, Buffer>(join(root, String(folders++)), { valueEncoding: 'buffer' });
  await db.open();
  return { db, batches: recordBatches(db, before) };
}

const sizes = (batches: readonly RecordedBatch[]) =>
  batches.map(({ keys, sync }) => ({ size: keys.length, sync }));

describe('GroupCommit', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the puts of one turn as one synced batch, each done once it is stored', async () => {
    const { db, batches } = await countedDatabase();
    const commits = new GroupCommit(db);
    const puts = Array.from({ length: 50 }, (_, i) =>
      commits.put(`k${i}`, Buffer.from(String(i)), { sync: true }).then(() => db.get(`k${i}`)),
    );
    const stored = await Promise.all(puts);
    expect(stored.map((value) => value?.toString())).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(sizes(batches)).toEqual([{ size: 50, sync: true }]);
    await db.close();
  });

  it('gathers what is asked while a group is written into the next, in order, synced only if asked', async () => {
    const { db, batches } = await countedDatabase();
    const commits = new GroupCommit(db);
    const first = commits.put('a', Buffer.from('1'), { sync: true });
    await new Promise((resolve) => setImmediate(resolve));
    // The first group is being written: these wait for it and go together.
    const later = [
      commits.put('a', Buffer.from('2')),
      commits.del('a'),
      commits.batch([{ type: 'put', key: 'b', value: Buffer.from('3') }]),
    ];
    await Promise.all([first, ...later]);
    expect(sizes(batches)).toEqual([
      { size: 1, sync: true },
      { size: 3, sync: false },
    ]);
    expect(await db.get('a')).toBeUndefined();
    expect((await db.get('b'))?.toString()).toBe('3');
    await db.close();
  });

  it('fails every write of a group that could not be written, and goes on with the next', async () => {
    const { db } = await countedDatabase();
    const commits = new GroupCommit(db);
    const bad = commits.batch([
      { type: 'put', key: undefined as unknown as string, value: Buffer.from('x') },
    ]);
    const sameGroup = commits.put('c', Buffer.from('1'), { sync: true });
    await expect(bad).rejects.toThrow();
    await expect(sameGroup).rejects.toThrow();
    await commits.put('d', Buffer.from('2'), { sync: true });
    expect((await db.get('d'))?.toString()).toBe('2');
    await db.close();
  });

  it('writes a key again only after the group holding its last write is on disk, whether or not the caller waited', async () => {
    // The first group is held at the disk until released: a second may be written beside it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { db, batches } = await countedDatabase((n) => (n === 1 ? held : undefined));
    const commits = new GroupCommit(db);
    const first = commits.put('a', Buffer.from('1'));
    await new Promise((resolve) => setImmediate(resolve));
    const other = commits.put('b', Buffer.from('2'));
    await other;
    // Asked without waiting for the first: written only once that one is on disk.
    const again = commits.del('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toHaveLength(2);
    release();
    await Promise.all([first, again]);
    expect(batches).toHaveLength(3);
    expect(await db.get('a')).toBeUndefined();
    await db.close();
  });
});
