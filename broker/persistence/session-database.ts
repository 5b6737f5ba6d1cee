import type { ClassicLevel } from 'classic-level';
import type { AbstractBatchOperation } from 'abstract-level';
import { GroupCommit } from './group-commit.js';
import { LEVEL_KEY_PREFIXES } from './level-key-prefixes.js';
import { RecentWrites } from './recent-writes.js';

type Database = ClassicLevel<string, Buffer>;
type Operation = AbstractBatchOperation<Database, string, Buffer>;
type EntryOptions = { keyEncoding?: string; valueEncoding?: string; snapshot?: unknown };

const QUEUED: Promise<void> = Promise.resolve();

/**
 * Values written and not yet deleted that reads are answered from. What stays in it at a
 * time is what the broker's subscribers have not acknowledged yet (two keys per message
 * and persistent subscriber, ~0.5 KB each): at 2,000 messages a second with ingest holding
 * a second of them, ~2 MB. More only while a consumer is away and its queue grows; then
 * the oldest are read from the disk again, as all were before.
 */
export const RECENT_WRITES_MAX_BYTES = 16 * 1024 * 1024;

/**
 * aedes-persistence-level's keys for the packet-id bookkeeping of messages being sent
 * (outgoingUpdate): a queued message written again with the packet id it went out with,
 * and packet id → message. Written outside a message's own store (whileStoringMessage),
 * what no acknowledgement depends on: lost to a power cut or a kill, it only means the
 * message goes out again under a new id, which QoS 1 allows. Such a write is not synced
 * and completes as soon as it is queued: aedes sends a message to a persistent session
 * only once its packet id is stored, and two group commits on that way (the library awaits
 * its two puts in turn) held every alarm back. It is readable at once (RecentWrites), and
 * the group commit applies a key's writes in the order asked. A key the library names
 * otherwise is synced: slower, never less durable.
 */
const PACKET_ID_KEY_PREFIXES: readonly string[] = [
  LEVEL_KEY_PREFIXES.outgoing,
  LEVEL_KEY_PREFIXES.outgoingId,
];

/**
 * The message being stored for its subscribers, while its store runs: aedes-persistence-level
 * asks for every write of outgoingEnqueue(Combi) synchronously, before its first await. Those
 * writes are synced whatever their key; with `deferred`, each completes once queued and its
 * sync is left in that list (MessageSyncs). A module variable, not AsyncLocalStorage: that
 * turned on async_hooks' promise hooks for every promise of the broker (~5 % of its CPU at
 * 2,000 readings a second, bench alert-latency). A write the library made after an await
 * would be outside the window: under any other key awaited in full (slower, never less
 * durable), but a queued message under `outgoing:` would be relaxed. The library is pinned,
 * and session-database.test.ts fails if a queued message's write is ever not synced.
 */
let storing: { deferred: Array<Promise<void>> | undefined } | undefined;

/**
 * Runs a message's store (synchronously) with its writes synced, their syncs left in
 * `deferred` if given; within another message's store (outgoingEnqueueCombi calls
 * outgoingEnqueue), in that store's window.
 */
export function whileStoringMessage<T>(deferred: Array<Promise<void>> | undefined, run: () => T): T {
  const outer = storing;
  storing = deferred === undefined && outer !== undefined ? outer : { deferred };
  try {
    return run();
  } finally {
    storing = outer;
  }
}

/**
 * Puts that only keep packet ids, asked for outside a message's store. Deletes complete once
 * written, as before (an acknowledged message's are not synced either way).
 */
function relaxed(operations: readonly Operation[]): boolean {
  return (
    storing === undefined &&
    operations.some(({ type }) => type === 'put') &&
    operations.every(
      ({ key }) => typeof key === 'string' && PACKET_ID_KEY_PREFIXES.some((prefix) => key.startsWith(prefix)),
    )
  );
}

/**
 * The database as aedes-persistence-level sees it, through classic-level's public API:
 * - puts and batches written with `sync: true` (LevelDB fsyncs its log before the write
 *   completes). aedes sends a QoS 1 PUBACK only once the message is stored for persistent
 *   subscribers (the patch), and the gateway deletes its copy on the PUBACK: without the
 *   sync a power cut after the PUBACK loses a message the OS had not yet written. A
 *   message's own store completes once queued, its sync awaited before the PUBACK instead
 *   (MessageSyncs). Deletes,
 *   and the packet-id bookkeeping of messages being sent (PACKET_ID_KEY_PREFIXES, done once
 *   queued), do not ask for a sync: lost, they only deliver a message again.
 * - every write, chained batches included, through a group commit (GroupCommit): all
 *   writes waiting are written as one batch, one pool job and one fsync.
 * - `get` answered from memory for what this process wrote and has not deleted
 *   (RecentWrites): the library reads back a queued packet on every delivery to a
 *   persistent session and every acknowledgement. What a synced write promises is
 *   unchanged (on disk when it completes); after a restart everything is read from disk.
 * - iterators opened, and the database closed, once every write asked for before is on
 *   disk, so a range read sees them as `get` does (a relaxed write completes before it
 *   is applied) and none is lost to a shutdown.
 */
export function sessionDatabase(db: Database, maxRecentBytes = RECENT_WRITES_MAX_BYTES): Database {
  const commits = new GroupCommit(db);
  const recent = new RecentWrites(maxRecentBytes);
  // Names as abstract-level resolves them ('binary' is 'buffer'); the casts only pick the overload.
  const keyEncoding = (name?: string) =>
    name === undefined ? db.keyEncoding() : db.keyEncoding(name as 'utf8');
  const valueEncoding = (name?: string) =>
    name === undefined ? db.valueEncoding() : db.valueEncoding(name as 'buffer');
  const valuesKept = (options: EntryOptions = {}) =>
    keyEncoding(options.keyEncoding).commonName === 'utf8' &&
    valueEncoding(options.valueEncoding).commonName === 'buffer';

  /** Tells RecentWrites what each operation does once the group holding them is written. */
  const mirror = (operations: readonly Operation[], options: EntryOptions, written: Promise<void>) => {
    for (const operation of operations) {
      const { key } = operation;
      if (typeof key !== 'string') {
        recent.forgetWhere(() => true);
      } else if (!valuesKept({ ...options, ...(operation as EntryOptions) })) {
        recent.forget(key);
      } else if (operation.type === 'del') {
        recent.del(key, written);
      } else if (Buffer.isBuffer(operation.value)) {
        recent.put(key, operation.value, written);
      } else {
        recent.forget(key);
      }
    }
    // Each caller handles its own write's failure; this copy only must not go unhandled.
    written.catch(() => undefined);
  };

  /** `sync`: undefined asks it unless the writes are relaxed; false never (deletes). */
  const batch = (operations: Operation[], options: EntryOptions & { sync?: boolean }) => {
    const isRelaxed = relaxed(operations);
    const written = commits.batch(operations, { ...options, sync: options.sync ?? !isRelaxed });
    mirror(operations, options, written);
    // Failed, it is forgotten by RecentWrites and read from the disk again.
    if (isRelaxed) return QUEUED;
    const deferred = storing?.deferred;
    if (deferred === undefined) return written;
    deferred.push(written);
    return QUEUED;
  };

  return new Proxy(db, {
    get(target, property) {
      switch (property) {
        case 'put':
          return (key: string, value: Buffer, options: EntryOptions = {}) =>
            batch([{ type: 'put', key, value }], { ...options, sync: undefined });
        case 'del':
          return (key: string, options: EntryOptions = {}) =>
            batch([{ type: 'del', key }], { ...options, sync: false });
        case 'batch':
          return (operations?: Operation[], options: EntryOptions = {}) =>
            operations === undefined
              ? new GroupedChainedBatch(batch)
              : batch(operations, { ...options, sync: undefined });
        case 'clear':
          return (options: { gt?: string; gte?: string; lt?: string; lte?: string } = {}) => {
            const inRange = rangeTest(options);
            recent.forgetWhere(inRange);
            return target.clear(options).finally(() => recent.forgetWhere(inRange));
          };
        case 'iterator':
        case 'keys':
        case 'values':
          return (options?: object) =>
            new IteratorAfterWrites(commits.written(), () =>
              (target[property] as (options?: object) => RangeIterator).call(target, options),
            );
        case 'close':
          // What was asked for (relaxed writes done before they were written) reaches the disk first.
          return () => commits.written().then(() => target.close());
        case 'get':
          return (key: string, options?: EntryOptions) => {
            if (target.status === 'open' && typeof key === 'string' && options?.snapshot === undefined) {
              const known = valuesKept(options) ? recent.read(key) : undefined;
              if (known?.known) return Promise.resolve(known.value);
            }
            return target.get(key, options as never);
          };
        default: {
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function'
            ? (value as (...args: unknown[]) => unknown).bind(target)
            : value;
        }
      }
    },
  });
}

/**
 * The chained form of `batch()` (aedes-persistence-level clears an acknowledged packet with
 * one), gathered and then written through the group commit like every other write. Only
 * deletes, it does not ask for a sync (see sessionDatabase).
 */
class GroupedChainedBatch {
  private operations: Operation[] = [];

  constructor(
    private readonly write_: (operations: Operation[], options: { sync?: boolean }) => Promise<void>,
  ) {}

  get length(): number {
    return this.operations.length;
  }

  put(key: string, value: Buffer, options: EntryOptions = {}): this {
    this.operations.push({ ...options, type: 'put', key, value } as Operation);
    return this;
  }

  del(key: string, options: EntryOptions = {}): this {
    this.operations.push({ ...options, type: 'del', key } as Operation);
    return this;
  }

  clear(): this {
    this.operations = [];
    return this;
  }

  async write(): Promise<void> {
    const operations = this.operations;
    this.operations = [];
    // Synced (unless relaxed) only with a put in it.
    const sync = operations.some((operation) => operation.type === 'put') ? undefined : false;
    await this.write_(operations, { sync });
  }

  async close(): Promise<void> {
    this.operations = [];
  }
}

interface RangeIterator {
  next(): Promise<unknown>;
  nextv(size: number, options?: object): Promise<unknown[]>;
  all(options?: object): Promise<unknown[]>;
  close(): Promise<void>;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}

/** A range iterator (the methods aedes-persistence-level and abstract-level's callers use) opened once `ready` settles. */
class IteratorAfterWrites implements RangeIterator {
  private opened: Promise<RangeIterator> | undefined;

  constructor(
    private readonly ready: Promise<void>,
    private readonly open: () => RangeIterator,
  ) {}

  async next(): Promise<unknown> {
    return (await this.iterator()).next();
  }

  async nextv(size: number, options?: object): Promise<unknown[]> {
    return (await this.iterator()).nextv(size, options);
  }

  async all(options?: object): Promise<unknown[]> {
    return (await this.iterator()).all(options);
  }

  async close(): Promise<void> {
    if (this.opened) await (await this.opened).close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<unknown> {
    yield* await this.iterator();
  }

  private iterator(): Promise<RangeIterator> {
    this.opened ??= this.ready.then(() => this.open());
    return this.opened;
  }
}

/** Whether a key lies in a range as LevelDB orders keys (their UTF-8 bytes). */
function rangeTest(range: {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
}): (key: string) => boolean {
  const bound = (value: string | undefined) => (value === undefined ? undefined : Buffer.from(value));
  const [gt, gte, lt, lte] = [bound(range.gt), bound(range.gte), bound(range.lt), bound(range.lte)];
  return (key) => {
    const bytes = Buffer.from(key);
    return (
      (gt === undefined || Buffer.compare(bytes, gt) > 0) &&
      (gte === undefined || Buffer.compare(bytes, gte) >= 0) &&
      (lt === undefined || Buffer.compare(bytes, lt) < 0) &&
      (lte === undefined || Buffer.compare(bytes, lte) <= 0)
    );
  };
}
