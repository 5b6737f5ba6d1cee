import type { ClassicLevel } from 'classic-level';
import type { BlockPrefixes } from './journal-records.js';
import { RecordBlocks, type JournalOperation, type RecordPlace } from './record-blocks.js';
/** A put's value is encoded when its batch is cut: a later change to the same key in the batch replaces it unencoded. */
type PendingOperation = { type: 'put'; key: string; encode: () => Buffer } | { type: 'del'; key: string };

interface PendingBatch {
  /** By key: only a key's last operation in a batch matters. */
  readonly operations: Map<string, PendingOperation>;
  readonly written: Promise<void>;
  /** Somebody waits for it: written as soon as the batch before it is. */
  awaited: boolean;
  settle(error?: Error): void;
}

/** How long a change nobody waits for may wait for company before it is written. */
export const UNAWAITED_FLUSH_MS = 20;

/** Told as a batch is cut (before LevelDB gets it) and once it is written. */
export interface JournalBatchHooks {
  cut(): void;
  written(): void;
}

/**
 * Group commit into LevelDB: every put/del recorded while a batch is being written goes
 * to disk with the others as one `db.batch`. A change somebody awaits (`committed()`) is
 * written at the end of the current event-loop turn; one nobody awaits (a packet id, an
 * acknowledged message's delete) waits up to UNAWAITED_FLUSH_MS or until an awaited one
 * goes. Each `db.batch` costs ~15 µs of the event loop whatever it holds, and there is
 * one such change (a delete) for every awaited enqueue. Batches are written one after the
 * other, so they land (and are reported written) in the order they were recorded. After
 * a failed batch memory and disk disagree, so every later commit fails too. `hooks.cut`
 * runs as a batch is cut, before LevelDB gets it (the payload log writes what the
 * batch's records point to), and `hooks.written` once it is on disk. Records put once
 * and deleted once (queued messages) go in blocks (`putGrouped`, see RecordBlocks),
 * cut with the batch.
 */
export class JournalWriter {
  private pending: PendingBatch | undefined;
  private writing: PendingBatch | undefined;
  private soon: NodeJS.Immediate | undefined;
  private later: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  /** Every RecordBlocks of this writer: each is cut with every batch. */
  private readonly grouping: RecordBlocks[] = [];

  constructor(
    private readonly db: ClassicLevel<string, Buffer>,
    private readonly unawaitedFlushMs = UNAWAITED_FLUSH_MS,
    private readonly hooks?: JournalBatchHooks,
  ) {}

  put(key: string, encode: () => Buffer): void {
    this.record({ type: 'put', key, encode });
  }

  del(key: string): void {
    this.record({ type: 'del', key });
  }

  /** Blocks under these prefixes, cut with every batch of this writer (what restoring them left to delete included). */
  blocks(prefixes: BlockPrefixes): RecordBlocks {
    const blocks = new RecordBlocks(prefixes);
    this.grouping.push(blocks);
    return blocks;
  }

  /** Into `group`'s next block of `blocks` (from `this.blocks()`); `value` is encoded as the batch is cut. */
  putGrouped(blocks: RecordBlocks, place: RecordPlace, group: string, value: () => object): void {
    blocks.put(place, group, value);
    this.nextBatch();
  }

  delGrouped(blocks: RecordBlocks, place: RecordPlace): void {
    blocks.remove(place);
    this.nextBatch();
  }

  /** Resolves once everything recorded so far is written, which then happens without delay. */
  committed(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) {
      this.pending.awaited = true;
      if (!this.writing) this.soon ??= setImmediate(() => this.flush());
    }
    return (this.pending ?? this.writing)?.written ?? Promise.resolve();
  }

  /** Writes what is still pending and waits for it; nothing may be recorded afterwards. */
  async drain(): Promise<void> {
    for (;;) {
      this.flush();
      if (!this.writing) break;
      await this.writing.written.catch(() => undefined);
    }
    if (this.failure) throw this.failure;
  }

  private record(operation: PendingOperation): void {
    this.nextBatch().operations.set(operation.key, operation);
  }

  /** The batch a change joins; block changes join it too, as RecordBlocks is cut with it. */
  private nextBatch(): PendingBatch {
    this.pending ??= newBatch();
    if (!this.writing) this.flushLater();
    return this.pending;
  }

  private flushLater(): void {
    this.later ??= setTimeout(() => this.flush(), this.unawaitedFlushMs);
  }

  private flush(): void {
    if (this.soon) clearImmediate(this.soon);
    if (this.later) clearTimeout(this.later);
    this.soon = undefined;
    this.later = undefined;
    // A batch in flight takes the next one with it when it is done.
    if (this.writing || this.pending === undefined) return;
    const batch = this.pending;
    this.pending = undefined;
    this.writing = batch;
    const write = this.failure ? Promise.reject(this.failure) : this.write(batch);
    write.then(
      () => {
        this.hooks?.written();
        this.finish(batch);
      },
      (error: unknown) => this.finish(batch, error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** Async, so a throwing `cut` fails the batch like a failed LevelDB write. */
  private async write(batch: PendingBatch): Promise<void> {
    this.hooks?.cut();
    const operations = encoded(batch.operations);
    for (const blocks of this.grouping) {
      for (const operation of blocks.cut()) operations.push(operation);
    }
    await this.db.batch(operations);
  }

  private finish(batch: PendingBatch, error?: Error): void {
    this.failure ??= error;
    this.writing = undefined;
    batch.settle(error);
    if (this.pending?.awaited) this.flush();
    else if (this.pending) this.flushLater();
  }
}

function newBatch(): PendingBatch {
  let settle: (error?: Error) => void = () => undefined;
  const written = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  // Updates and clears are not awaited: a failure is reported by the next awaited commit.
  written.catch(() => undefined);
  return { operations: new Map(), written, awaited: false, settle };
}

function encoded(operations: Map<string, PendingOperation>): JournalOperation[] {
  return Array.from(operations.values(), (operation) =>
    operation.type === 'put' ? { type: 'put', key: operation.key, value: operation.encode() } : operation,
  );
}
