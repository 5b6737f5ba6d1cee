import { describe, expect, it } from 'vitest';
import { RecentWrites } from './recent-writes.js';

/** A write's completion, settled by the test. */
function pendingWrite(): { written: Promise<void>; done: () => void; fail: () => void } {
  let done!: () => void;
  let fail!: () => void;
  const written = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = () => reject(new Error('disk full'));
  });
  written.catch(() => undefined);
  return { written, done, fail };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RecentWrites', () => {
  it('knows a value from its write on, and a delete until it is on disk', async () => {
    const recent = new RecentWrites(1024 * 1024);
    const put = pendingWrite();
    recent.put('k', Buffer.from('v1'), put.written);
    expect(recent.read('k')).toEqual({ known: true, value: Buffer.from('v1') });
    put.done();
    await settle();
    expect(recent.read('k')).toEqual({ known: true, value: Buffer.from('v1') });
    const del = pendingWrite();
    recent.del('k', del.written);
    expect(recent.read('k')).toEqual({ known: true, value: undefined });
    del.done();
    await settle();
    expect(recent.read('k')).toEqual({ known: false });
    expect(recent.keptBytes).toBe(0);
  });

  it('forgets the oldest values on disk beyond its budget, never one still being written', async () => {
    const value = Buffer.alloc(100);
    // Room for about three entries of 100 bytes.
    const recent = new RecentWrites(3 * (100 + 2 + 96));
    const old = pendingWrite();
    recent.put('k0', value, old.written);
    const written = pendingWrite();
    written.done();
    for (const key of ['k1', 'k2', 'k3']) recent.put(key, value, written.written);
    await settle();
    // k0 is still being written: k1, the oldest on disk, went instead.
    expect(recent.read('k0').known).toBe(true);
    expect(recent.read('k1').known).toBe(false);
    expect(recent.read('k3').known).toBe(true);
    old.done();
    await settle();
    recent.put('k4', value, written.written);
    expect(recent.read('k0').known).toBe(false);
    expect(recent.size).toBe(3);
  });

  it('forgets a key whose write failed: the database is the truth', async () => {
    const recent = new RecentWrites(1024 * 1024);
    const put = pendingWrite();
    recent.put('k', Buffer.from('v'), put.written);
    put.fail();
    await settle();
    expect(recent.read('k')).toEqual({ known: false });
  });
});
