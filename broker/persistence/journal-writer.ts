import type { ClassicLevel } from 'classic-level';

type JournalOperation = { type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string };
/** A put's value is encoded when its batch is cut: a later change to the same key in the batch replaces it unencoded. */
type PendingOperation = { type: 'put'; key: string; encode: () => Buffer } | { type: 'del'; key: string };

interface PendingBatch {
  /** By key: only a key's last operation in a batch matters. */
  readonly operations: Map<string, PendingOperation>;
  readonly written: Promise<void>;
  settle(error?: Error): void;
}

/**
 * Group commit into LevelDB: every put/del recorded while a batch is being written, or
 * during the current event-loop turn, goes to disk as one `db.batch`. Batches are written
 * one after the other, so they land (and are reported written) in the order they were
 * recorded. After a failed batch memory and disk disagree, so every later commit fails too.
 */
export class JournalWriter {
  private pending: PendingBatch | undefined;
  private writing: PendingBatch | undefined;
  private flushTimer: NodeJS.Immediate | undefined;
  private failure: Error | undefined;

  constructor(private readonly db: ClassicLevel<string, Buffer>) {}

  put(key: string, encode: () => Buffer): void {
    this.record({ type: 'put', key, encode });
  }

  del(key: string): void {
    this.record({ type: 'del', key });
  }

  /** Resolves once everything recorded so far is written. */
  committed(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return (this.pending ?? this.writing)?.written ?? Promise.resolve();
  }

  /** Writes what is still pending and waits for it; nothing may be recorded afterwards. */
  async drain(): Promise<void> {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    this.flush();
    while (this.writing) await this.writing.written.catch(() => undefined);
    if (this.failure) throw this.failure;
  }

  private record(operation: PendingOperation): void {
    if (this.pending === undefined) this.pending = newBatch();
    this.pending.operations.set(operation.key, operation);
    this.flushTimer ??= setImmediate(() => {
      this.flushTimer = undefined;
      this.flush();
    });
  }

  private flush(): void {
    // A batch in flight takes the next one with it when it is done.
    if (this.writing || this.pending === undefined) return;
    const batch = this.pending;
    this.pending = undefined;
    this.writing = batch;
    const write = this.failure ? Promise.reject(this.failure) : this.db.batch(encoded(batch.operations));
    write.then(
      () => this.finish(batch),
      (error: unknown) => this.finish(batch, error instanceof Error ? error : new Error(String(error))),
    );
  }

  private finish(batch: PendingBatch, error?: Error): void {
    this.failure ??= error;
    this.writing = undefined;
    batch.settle(error);
    this.flush();
  }
}

function newBatch(): PendingBatch {
  let settle: (error?: Error) => void = () => undefined;
  const written = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  // Updates and clears are not awaited: a failure is reported by the next awaited commit.
  written.catch(() => undefined);
  return { operations: new Map(), written, settle };
}

function encoded(operations: Map<string, PendingOperation>): JournalOperation[] {
  return Array.from(operations.values(), (operation) =>
    operation.type === 'put' ? { type: 'put', key: operation.key, value: operation.encode() } : operation,
  );
}
