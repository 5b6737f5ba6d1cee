import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PayloadLog } from './payload-log.js';

const root = mkdtempSync(join(tmpdir(), 'payload-log-'));
let logs = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function openLog(segmentBytes?: number, dir = join(root, String(logs++))): PayloadLog {
  const log = new PayloadLog(dir, segmentBytes);
  log.open();
  return log;
}

const segmentFiles = (log: PayloadLog) => readdirSync(log.dir).sort();
const payload = (i: number, bytes = 100) =>
  Buffer.from(`${i}:`.padEnd(bytes, String.fromCharCode(97 + (i % 26))));

describe('PayloadLog', () => {
  it('reads back every payload byte for byte, across segments and past writev’s 1024 buffers', async () => {
    const log = openLog(50_000);
    const refs = Array.from({ length: 3_000 }, (_, i) => log.append(payload(i)));
    log.takePending();
    expect(segmentFiles(log).length).toBeGreaterThan(5);
    for (const [i, ref] of refs.entries()) expect((await log.read(ref)).equals(payload(i))).toBe(true);
    await log.close();
  });

  it('deletes a segment only once nothing points into it and the batch cut after that is written', async () => {
    const log = openLog(1_000);
    const first = log.append(payload(1, 600));
    const second = log.append(payload(2, 600));
    const third = log.append(payload(3, 600)); // starts a new segment: the first two are sealed
    log.hold(first); // queued for a second session
    log.takePending();
    log.batchWritten();
    expect(segmentFiles(log)).toEqual(['00000000.payloads', '00000001.payloads']);

    log.release(first);
    log.release(second);
    log.takePending();
    log.batchWritten();
    expect(segmentFiles(log)).toHaveLength(2); // `first` is still held once

    log.release(first);
    log.takePending(); // the batch holding the records' deletes is cut ...
    expect(segmentFiles(log)).toHaveLength(2); // ... but not written yet: the bytes stay
    log.batchWritten();
    expect(segmentFiles(log)).toEqual(['00000001.payloads']);

    // The current segment stays even when nothing points into it.
    log.release(third);
    log.takePending();
    log.batchWritten();
    expect(segmentFiles(log)).toEqual(['00000001.payloads']);
    await log.close();
  });

  it('refuses bytes that do not match their CRC, or are missing', async () => {
    const log = openLog();
    const ref = log.append(payload(7, 64));
    log.takePending();
    const file = join(log.dir, '00000000.payloads');
    const bytes = readFileSync(file);
    bytes[10] = (bytes[10] as number) ^ 0xff;
    writeFileSync(file, bytes);
    await expect(log.read(ref)).rejects.toThrow(/00000000\.payloads:0 \(64 bytes\) is unreadable/);
    await expect(log.read({ ...ref, offset: 1_000 })).rejects.toThrow(/unreadable/);
    await expect(log.read({ ...ref, segment: 9 })).rejects.toThrow(/00000009\.payloads is missing/);
    await log.close();
  });

  it('after a restart appends to a new segment, and prunes the segments nobody holds', async () => {
    const dir = join(root, 'restart');
    const first = openLog(1_000, dir);
    const kept = first.append(payload(1, 800));
    first.append(payload(2, 800));
    first.append(payload(3, 10)); // in a segment of its own; its record never reached the journal
    first.takePending();
    await first.close();
    expect(segmentFiles(first)).toEqual(['00000000.payloads', '00000001.payloads']);

    const second = openLog(1_000, dir);
    second.hold(kept); // what the journal's records point to
    second.pruneUnreferenced();
    expect(segmentFiles(second)).toEqual(['00000000.payloads', '00000002.payloads']);
    expect((await second.read(kept)).equals(payload(1, 800))).toBe(true);
    const next = second.append(payload(4, 10));
    expect(next.segment).toBe(2);
    await second.close();
  });
});
