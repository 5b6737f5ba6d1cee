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

/** One write of a group, its encodings (the call's, or the operation's own over them) beside it. */
interface Write {
  type: 'put' | 'del';
  key: string;
  value: Buffer | undefined;
  encodings: Encodings;
}

interface Group {
  operations: Write[];
  /** The keys the operations touch, once the group is being written. */
  keys?: Set<string>;
  /** Whether any write in the group asked to reach the disk before it completes. */
  sync: boolean;
  done: Promise<void>;
  settle: (error?: Error) => void;
}

/**
 * Group commit over LevelDB's public (chained) batch: every put, delete and batch asked
 * for while groups are being written (or in the same turn of the event loop) goes into the
 * next group, written as one batch, synced if any write in it asked for it. Each write
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
    return this.add([{ type: 'put', key, value }], options);
  }

  del(key: string, options: Encodings & { sync?: boolean } = {}): Promise<void> {
    return this.add([{ type: 'del', key }], options);
  }

  batch(operations: readonly Operation[], options: Encodings & { sync?: boolean } = {}): Promise<void> {
    return this.add(operations, options);
  }

  /** Settles once every write asked for so far is written (or failed). */
  async written(): Promise<void> {
    const pending = [...this.writing, ...(this.next ? [this.next] : [])].map((group) => group.done);
    await Promise.allSettled(pending);
  }

  private add(operations: readonly Operation[], options: Encodings & { sync?: boolean }): Promise<void> {
    const group = this.next ?? this.open();
    const encodings = encodingsOf(options);
    for (const operation of operations) {
      const own = encodingsOf(operation as Encodings);
      group.operations.push({
        type: operation.type,
        key: operation.key,
        value: operation.type === 'put' ? operation.value : undefined,
        encodings: own === NO_ENCODINGS ? encodings : { ...encodings, ...own },
      });
    }
    group.sync ||= options.sync === true;
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
    written(this.db, group).then(
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

/**
 * A group's writes as one chained batch: one LevelDB write batch, as the array form makes.
 * Why not the array form: abstract-level copies each of its operations into an object of
 * its own (a spread of the caller's) and the binding reads that back property by property,
 * 10–20 µs a write for the session store's (groups of ~170 in bench alert-latency, five
 * writes a reading); the chained form takes the key and value as arguments, 2–4 µs.
 */
async function written(db: ClassicLevel<string, Buffer>, group: Group): Promise<void> {
  const batch = db.batch();
  try {
    for (const { type, key, value, encodings } of group.operations) {
      if (type === 'put') batch.put(key, value as Buffer, encodings);
      else batch.del(key, encodings);
    }
  } catch (error) {
    await batch.close();
    throw error;
  }
  await batch.write({ sync: group.sync });
}

const NO_ENCODINGS: Encodings = {};

function encodingsOf(options: Encodings): Encodings {
  if (options.keyEncoding === undefined && options.valueEncoding === undefined) return NO_ENCODINGS;
  return {
    ...(options.keyEncoding !== undefined ? { keyEncoding: options.keyEncoding } : {}),
    ...(options.valueEncoding !== undefined ? { valueEncoding: options.valueEncoding } : {}),
  };
}
