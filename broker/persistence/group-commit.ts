import type { ClassicLevel } from 'classic-level';
import type { AbstractBatchOperation } from 'abstract-level';

type Operation = AbstractBatchOperation<ClassicLevel<string, Buffer>, string, Buffer>;
type Encodings = { keyEncoding?: string; valueEncoding?: string };

/**
 * Groups written at once. With one, the next group could start only once the event loop
 * had run the last one's completion: on a busy box a fire alarm's write waited for the
 * broker's next turn on a core as well as for the disk. With two, LevelDB's own writer
 * queue takes the next group as soon as the disk is done with the last.
 */
const MAX_WRITING = 2;

interface Group {
  operations: Operation[];
  /** The keys the operations touch, once the group is being written. */
  keys?: Set<string>;
  /** Whether any write in the group asked to reach the disk before it completes. */
  sync: boolean;
  done: Promise<void>;
  settle: (error?: Error) => void;
}

/**
 * Group commit over LevelDB's public batch: every put, delete and batch asked for while
 * groups are being written (or in the same turn of the event loop) goes into the next
 * group, written as one batch, synced if any write in it asked for it. Each write
 * completes when its group is on disk, so a synced put still means "on the disk" when
 * its promise resolves. Writes of a key apply in the order they were asked for, whether or
 * not the caller waited for the first: within a group in order, and a group that touches
 * a key of a group still being written waits for it (two groups handed to libuv's pool
 * at once may reach LevelDB in either order).
 *
 * Why: the session store syncs a QoS 1 message once per persistent subscriber, and
 * classic-level runs each call on libuv's pool (4 threads) into LevelDB's one writer
 * queue. At thousands of messages a second the writes queued one pool job each, so a
 * fire alarm's stores waited behind every reading's, and the pool had no thread left
 * for reads. Here one pool job and one fsync carry all writes waiting at that moment.
 */
export class GroupCommit {
  private next: Group | undefined;
  /** Groups being written, at most MAX_WRITING. */
  private readonly writing = new Set<Group>();

  constructor(private readonly db: ClassicLevel<string, Buffer>) {}

  put(key: string, value: Buffer, options: Encodings & { sync?: boolean } = {}): Promise<void> {
    return this.add([{ type: 'put', key, value, ...encodingsOf(options) }], options.sync === true);
  }

  del(key: string, options: Encodings & { sync?: boolean } = {}): Promise<void> {
    return this.add([{ type: 'del', key, ...encodingsOf(options) }], options.sync === true);
  }

  batch(operations: readonly Operation[], options: Encodings & { sync?: boolean } = {}): Promise<void> {
    const encodings = encodingsOf(options);
    return this.add(
      operations.map((operation) => ({ ...encodings, ...operation })),
      options.sync === true,
    );
  }

  /** Settles once every write asked for so far is written (or failed). */
  async written(): Promise<void> {
    const pending = [...this.writing, ...(this.next ? [this.next] : [])].map((group) => group.done);
    await Promise.allSettled(pending);
  }

  private add(operations: Operation[], sync: boolean): Promise<void> {
    const group = this.next ?? this.open();
    group.operations.push(...operations);
    group.sync ||= sync;
    return group.done;
  }

  private open(): Group {
    let settle!: Group['settle'];
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    const group: Group = { operations: [], sync: false, done, settle };
    this.next = group;
    // Gather what the rest of this turn asks for; a write in progress starts the group when it ends.
    if (this.writing.size < MAX_WRITING) setImmediate(() => this.write());
    return group;
  }

  private write(): void {
    const group = this.next;
    if (this.writing.size >= MAX_WRITING || group === undefined) return;
    const keys = new Set(group.operations.map((operation) => operation.key));
    for (const writing of this.writing) {
      for (const key of keys) if (writing.keys?.has(key)) return; // finish() starts it
    }
    group.keys = keys;
    this.next = undefined;
    this.writing.add(group);
    this.db.batch(group.operations, { sync: group.sync }).then(
      () => this.finish(group),
      (error: unknown) => this.finish(group, error instanceof Error ? error : new Error(String(error))),
    );
  }

  private finish(group: Group, error?: Error): void {
    this.writing.delete(group);
    group.settle(error);
    this.write();
  }
}

function encodingsOf(options: Encodings): Encodings {
  return {
    ...(options.keyEncoding !== undefined ? { keyEncoding: options.keyEncoding } : {}),
    ...(options.valueEncoding !== undefined ? { valueEncoding: options.valueEncoding } : {}),
  };
}
