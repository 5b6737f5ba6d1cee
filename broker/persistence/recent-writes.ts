/** Per entry beyond its key and value: the Map slot, the entry object, the Buffer header. */
const ENTRY_OVERHEAD_BYTES = 96;

interface Entry {
  /** undefined: deleted (a tombstone, kept only until the delete is on disk). */
  value: Buffer | undefined;
  /** Writes of this key not yet on disk. */
  pending: number;
  bytes: number;
}

/** What a read from memory found: a value, a delete, or nothing known (ask the database). */
export type RecentRead = { known: true; value: Buffer | undefined } | { known: false };

const UNKNOWN: RecentRead = { known: false };

/**
 * The values this process wrote to the session store, kept in memory until deleted, so
 * reading one back needs no database read. aedes-persistence-level reads back a packet it
 * has just written on every delivery to a persistent session and on every acknowledgement
 * (its outgoing queue lives in LevelDB only); each LevelDB read took a thread of libuv's
 * pool and LevelDB's mutex on the event loop, and at 2,000 messages a second those reads
 * queued for tens of milliseconds behind each other and behind the group commits.
 *
 * Write-through: every write still goes to the database and completes only once it is
 * there (GroupCommit); this only answers reads. A value is known from the moment its write
 * is asked for (a reader sees its own writes, as LevelDB does once they are applied); a
 * delete is remembered until it is on disk, then forgotten. When the values kept pass
 * `maxBytes` (a consumer offline while its queue grows), the oldest written are forgotten,
 * never one whose write is still in flight, and are read from the database again. A write
 * that fails forgets its key: the database is the truth.
 */
export class RecentWrites {
  /** Insertion order is the order of the last write of each key: the oldest first. */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get keptBytes(): number {
    return this.bytes;
  }

  read(key: string): RecentRead {
    const entry = this.entries.get(key);
    return entry === undefined ? UNKNOWN : { known: true, value: entry.value };
  }

  /** `value` is written to `key`; `written` settles once it is on disk. */
  put(key: string, value: Buffer, written: Promise<unknown>): void {
    this.record(key, value, written);
  }

  /** `key` is deleted; `written` settles once the delete is on disk. */
  del(key: string, written: Promise<unknown>): void {
    this.record(key, undefined, written);
  }

  /** Forgets what is known about `key` (a write this cache cannot follow). */
  forget(key: string): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) this.remove(key, entry);
  }

  /** Forgets every key `inRange` accepts (a range cleared in the database). */
  forgetWhere(inRange: (key: string) => boolean): void {
    for (const [key, entry] of this.entries) if (inRange(key)) this.remove(key, entry);
  }

  private record(key: string, value: Buffer | undefined, written: Promise<unknown>): void {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { value, pending: 0, bytes: 0 };
    } else {
      // Moved to the end: the order is that of the last write.
      this.entries.delete(key);
      this.bytes -= entry.bytes;
    }
    entry.value = value;
    entry.pending += 1;
    entry.bytes = key.length + (value?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    const current = entry;
    written.then(
      () => this.settled(key, current),
      () => {
        current.pending -= 1;
        if (this.entries.get(key) === current) this.remove(key, current);
      },
    );
    if (this.bytes > this.maxBytes) this.evict();
  }

  private settled(key: string, entry: Entry): void {
    entry.pending -= 1;
    if (entry.pending === 0 && entry.value === undefined && this.entries.get(key) === entry) {
      this.remove(key, entry);
    }
    // Values kept beyond the budget while all were being written go once they are on disk.
    if (this.bytes > this.maxBytes) this.evict();
  }

  /** Forgets the oldest values whose writes are on disk until the rest fit. */
  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      if (entry.pending === 0) this.remove(key, entry);
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
