import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../runtime/index.js';

const seqFileSchema = z.strictObject({
  version: z.literal(1),
  /** True only when written by a clean stop: every seq handed out is in `counters`. */
  clean: z.boolean(),
  counters: z.record(z.string(), z.number().int().nonnegative()),
});

/**
 * How far past the last persisted value a device's seq jumps after a crash. Counters
 * are flushed every few seconds, so after a crash the file may lag behind the seqs
 * already published; ingest treats a repeated seq as a duplicate and would drop a new
 * reading. Jumping ahead by more than a device can emit between two flushes (a flush
 * is also forced whenever a counter runs half a margin ahead of the file) guarantees
 * no seq is reused; ingest then sees one gap, which is the truth (the gateway died).
 * A device missing from the file may have been first seen after its last flush (a door
 * whose first event came just before the crash), so after a crash it starts at the
 * margin, not at 0. After a clean stop the file is exact and counting simply continues.
 */
export const SEQ_CRASH_MARGIN = 1_000;
const FLUSH_INTERVAL_MS = 3_000;

export interface SeqStoreOptions {
  dataDir: string;
  logger: Logger;
}

/** Per-device message counters shared by a device's telemetry and events, persisted under dataDir. */
export class SeqStore {
  private readonly counters = new Map<string, number>();
  private persisted = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private flushQueued = false;
  /** A device's first seq: 0, or the margin when the last run crashed (see SEQ_CRASH_MARGIN). */
  private firstSeq = 0;

  constructor(private readonly options: SeqStoreOptions) {}

  private get file(): string {
    return join(this.options.dataDir, 'seq.json');
  }

  async start(): Promise<void> {
    await mkdir(this.options.dataDir, { recursive: true });
    const saved = await this.read();
    for (const [device, last] of Object.entries(saved?.counters ?? {})) {
      this.counters.set(device, saved?.clean ? last : last + SEQ_CRASH_MARGIN);
    }
    if (saved && !saved.clean) {
      this.firstSeq = SEQ_CRASH_MARGIN;
      this.options.logger.warn(
        { margin: SEQ_CRASH_MARGIN },
        'previous run did not stop cleanly: seq skips ahead',
      );
    }
    // Written at once as not clean, so a crash from here on is detected at the next start.
    await this.write(false);
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.writing;
    await this.write(true);
  }

  /** The next seq for a device: 0 for a device never seen (the margin after a crash). */
  next(device: string): number {
    const previous = this.counters.get(device);
    const seq = previous === undefined ? this.firstSeq : previous + 1;
    this.counters.set(device, seq);
    this.dirty = true;
    if (seq - (this.persisted.get(device) ?? 0) >= SEQ_CRASH_MARGIN / 2) void this.flush();
    return seq;
  }

  /** The last seq handed out, or undefined. */
  current(device: string): number | undefined {
    return this.counters.get(device);
  }

  flush(): Promise<void> {
    if (!this.dirty || this.flushQueued) return this.writing;
    this.flushQueued = true;
    const write = () => {
      this.flushQueued = false;
      return this.write(false);
    };
    this.writing = this.writing.then(write).catch((error: unknown) => {
      this.options.logger.error({ err: error, file: this.file }, 'cannot persist seq counters');
    });
    return this.writing;
  }

  private async read(): Promise<z.infer<typeof seqFileSchema> | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      return seqFileSchema.parse(JSON.parse(text));
    } catch (error) {
      // A corrupt file cannot tell where counting stopped; without it seqs restart at 0
      // and ingest will count duplicates, so say so loudly.
      this.options.logger.error(
        { err: error, file: this.file },
        'seq file unreadable: counters restart at 0',
      );
      return undefined;
    }
  }

  /** Atomic: a temp file is written and synced, then renamed over the old one. */
  private async write(clean: boolean): Promise<void> {
    this.dirty = false;
    const snapshot = new Map(this.counters);
    const body = JSON.stringify({ version: 1, clean, counters: Object.fromEntries(snapshot) });
    const temp = `${this.file}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.file);
    this.persisted = snapshot;
  }
}
