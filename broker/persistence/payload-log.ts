import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writevSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { z } from 'zod';

/** Where one payload's bytes are: segment file, byte range, and their CRC-32. */
export const payloadRefSchema = z.object({
  segment: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive(),
  crc: z.number().int().nonnegative(),
});
export type PayloadRef = z.infer<typeof payloadRefSchema>;

/** A new segment is started once the current one holds this much. */
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

const SEGMENT_NAME = /^(\d{8})\.payloads$/;
const segmentName = (segment: number) => `${String(segment).padStart(8, '0')}.payloads`;

interface Segment {
  /** Records that point into it. */
  refs: number;
  reader?: Promise<FileHandle>;
}

/**
 * Queued message payloads, appended to segment files; the journal's LevelDB records
 * hold only where each payload is. LevelDB writes a value to its log, its memtable, a
 * table file and again in every compaction (≈ 40 µs of CPU per 5 KB payload put and
 * deleted, measured), where an append costs one write of the bytes; a payload queued
 * for several sessions is stored once.
 *
 * Appends are buffered until `takePending()`, which the journal writer calls as it cuts a
 * batch, before it hands that batch to LevelDB, so a record never reaches LevelDB before
 * the bytes it points to. That write is synchronous: one write(2) of a batch's payloads
 * into the page cache costs less than a trip to a worker thread and back. A segment is deleted once no record points into it and the
 * batch that deleted the last such record is written (`takePending` / `batchWritten`),
 * so a crash in between still finds the bytes of every record it reads. Appends go to
 * the page cache without fsync, as LevelDB's writes do: a process crash loses nothing
 * acknowledged, a power cut may.
 *
 * Not compacted: a segment stays while any of its payloads is queued, so a session that
 * never comes back pins at most one segment per run of its messages.
 */
export class PayloadLog {
  private readonly segments = new Map<number, Segment>();
  private current = 0;
  private currentBytes = 0;
  private fd: number | undefined;
  private pending: { segment: number; chunks: Buffer[] }[] = [];
  /** Segments no record points into, deleted once the batch being cut now is written. */
  private readonly unreferenced = new Set<number>();
  private deletable: number[] = [];

  constructor(
    readonly dir: string,
    private readonly segmentBytes = DEFAULT_SEGMENT_BYTES,
  ) {}

  /** Finds the segments left by an earlier run; appends go to a new one after them. */
  open(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let last = -1;
    for (const name of readdirSync(this.dir)) {
      const match = SEGMENT_NAME.exec(name);
      if (!match) continue;
      const segment = Number(match[1]);
      this.segments.set(segment, { refs: 0 });
      last = Math.max(last, segment);
    }
    this.startSegment(last + 1);
  }

  /** Where `payload` will be once the pending appends are written; one reference held. */
  append(payload: Buffer): PayloadRef {
    if (this.currentBytes >= this.segmentBytes) this.startSegment(this.current + 1);
    const ref = {
      segment: this.current,
      offset: this.currentBytes,
      length: payload.length,
      crc: crc32(payload),
    };
    this.currentBytes += payload.length;
    const last = this.pending.at(-1);
    if (last?.segment === this.current) last.chunks.push(payload);
    else this.pending.push({ segment: this.current, chunks: [payload] });
    this.hold(ref);
    return ref;
  }

  /** One more record points at `ref` (a payload queued for another session, or read back at start-up). */
  hold(ref: PayloadRef): void {
    const segment = this.segments.get(ref.segment);
    if (segment === undefined) throw new Error(`payload segment ${segmentName(ref.segment)} is missing`);
    segment.refs++;
    this.unreferenced.delete(ref.segment);
  }

  /** A record that pointed at `ref` is deleted or no longer carries the payload. */
  release(ref: PayloadRef): void {
    const segment = this.segments.get(ref.segment);
    if (segment === undefined) return;
    segment.refs--;
    if (segment.refs === 0 && ref.segment !== this.current) this.unreferenced.add(ref.segment);
  }

  /**
   * Writes what was appended so far, synchronously; called as a journal batch is cut,
   * before LevelDB gets it. Segments unreferenced by then may go once that batch is written.
   */
  takePending(): void {
    const pending = this.pending;
    this.pending = [];
    for (const { segment, chunks } of pending) {
      if (segment === this.current && this.fd !== undefined) writeAll(this.fd, chunks);
      else withFile(join(this.dir, segmentName(segment)), (fd) => writeAll(fd, chunks));
    }
    for (const segment of this.unreferenced) this.deletable.push(segment);
    this.unreferenced.clear();
  }

  /** The batch cut at the last `takePending()` is on disk: segments unreferenced then are deleted. */
  batchWritten(): void {
    const deletable = this.deletable;
    this.deletable = [];
    for (const segment of deletable) {
      // Referenced again meanwhile (only at start-up) or already gone: kept, or nothing to do.
      if ((this.segments.get(segment)?.refs ?? 1) > 0) continue;
      this.remove(segment);
    }
  }

  /** Start-up: segments no record points into (what a crash left) are deleted now. */
  pruneUnreferenced(): void {
    for (const [segment, { refs }] of this.segments) {
      if (refs > 0 || segment === this.current) continue;
      this.remove(segment);
    }
    this.unreferenced.clear();
  }

  /** The payload's bytes, checked against their CRC. */
  async read(ref: PayloadRef): Promise<Buffer> {
    const segment = this.segments.get(ref.segment);
    if (segment === undefined) throw new Error(`payload segment ${segmentName(ref.segment)} is missing`);
    segment.reader ??= open(join(this.dir, segmentName(ref.segment)), 'r');
    const bytes = Buffer.allocUnsafe(ref.length);
    const { bytesRead } = await (await segment.reader).read(bytes, 0, ref.length, ref.offset);
    if (bytesRead !== ref.length || crc32(bytes) !== ref.crc) {
      throw new Error(
        `payload at ${segmentName(ref.segment)}:${ref.offset} (${ref.length} bytes) is unreadable (short or CRC mismatch)`,
      );
    }
    return bytes;
  }

  async close(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    for (const segment of this.segments.keys()) await this.closeReader(segment);
  }

  private startSegment(segment: number): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      if (this.segments.get(this.current)?.refs === 0) this.unreferenced.add(this.current);
    }
    this.current = segment;
    this.currentBytes = 0;
    this.segments.set(segment, { refs: 0 });
    this.fd = openSync(join(this.dir, segmentName(segment)), 'a', 0o600);
  }

  /** A file that cannot be deleted now is left for the next start-up's prune. */
  private remove(segment: number): void {
    void this.closeReader(segment).catch(() => undefined);
    this.segments.delete(segment);
    try {
      rmSync(join(this.dir, segmentName(segment)), { force: true });
    } catch {
      // pruned at the next start
    }
  }

  private async closeReader(segment: number): Promise<void> {
    const reader = this.segments.get(segment)?.reader;
    if (reader) await (await reader).close();
  }
}

/** writev takes at most IOV_MAX (1024) buffers, and may write less than it was given. */
function writeAll(fd: number, chunks: Buffer[]): void {
  let rest = chunks;
  while (rest.length > 0) {
    const batch = rest.slice(0, 1024);
    let written = writevSync(fd, batch);
    let i = 0;
    while (i < batch.length && written >= (batch[i] as Buffer).length)
      written -= (batch[i++] as Buffer).length;
    rest = rest.slice(i);
    if (written > 0) rest[0] = (rest[0] as Buffer).subarray(written);
  }
}

function withFile(path: string, use: (fd: number) => void): void {
  const fd = openSync(path, 'a', 0o600);
  try {
    use(fd);
  } finally {
    closeSync(fd);
  }
}
