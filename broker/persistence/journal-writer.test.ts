import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalWriter } from './journal-writer.js';

const root = mkdtempSync(join(tmpdir(), 'journal-writer-'));
let count = 0;
let db: ClassicLevel<string, Buffer>;
let batches: number[];

beforeEach(async () => {
  db = new ClassicLevel<string, Buffer>(join(root, String(count++)), { valueEncoding: 'buffer' });
  await db.open();
  batches = [];
  const batch = db.batch.bind(db) as (operations: unknown[]) => Promise<void>;
  // Counts the LevelDB batches and their sizes; the writes themselves go to disk as usual.
  (db as unknown as { batch: (operations: unknown[]) => Promise<void> }).batch = (operations) => {
    batches.push(operations.length);
    return batch(operations);
  };
});
afterEach(() => db.close());
afterAll(() => rmSync(root, { recursive: true, force: true }));

const value = (text: string) => () => Buffer.from(text);
const stored = async (key: string) => (await db.get(key))?.toString();

describe('JournalWriter', () => {
  it('holds unawaited changes back for the next awaited one, and writes them together', async () => {
    const writer = new JournalWriter(db, 60_000);
    for (let i = 0; i < 50; i++) writer.put(`mid:${i}`, value(String(i)));
    writer.del('out:gone');
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([]);
    writer.put('out:1', value('message'));
    await writer.committed();
    expect(batches).toEqual([52]);
    expect(await stored('mid:49')).toBe('49');
    expect(await stored('out:1')).toBe('message');
  });

  it('writes unawaited changes on its own when nothing else comes', async () => {
    const writer = new JournalWriter(db);
    writer.put('mid:1', value('7'));
    await expect.poll(() => stored('mid:1'), { timeout: 5000 }).toBe('7');
    expect(batches).toEqual([1]);
  });

  it('keeps only the last change to a key within a batch', async () => {
    const writer = new JournalWriter(db);
    writer.put('out:1', value('first'));
    writer.put('out:1', value('second'));
    writer.put('out:2', value('queued'));
    writer.del('out:2');
    await writer.committed();
    expect(batches).toEqual([2]);
    expect(await stored('out:1')).toBe('second');
    expect(await stored('out:2')).toBeUndefined();
  });

  it('writes an awaited change recorded during a write right after it, and drains what nobody awaited', async () => {
    const writer = new JournalWriter(db);
    writer.put('out:1', value('a'));
    const first = writer.committed();
    writer.put('out:2', value('b'));
    const second = writer.committed();
    await Promise.all([first, second]);
    expect(batches).toEqual([2]);
    writer.put('out:3', value('c'));
    const third = writer.committed();
    writer.put('mid:3', value('9'));
    await third;
    writer.del('out:1');
    await writer.drain();
    expect(await stored('out:1')).toBeUndefined();
    expect(await stored('mid:3')).toBe('9');
    expect(batches.reduce((sum, n) => sum + n, 0)).toBe(5);
  });
});
