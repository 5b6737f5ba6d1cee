import { statfs } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { checkFolderFormat, type Logger } from '../../runtime/index.js';
import type { BufferConfig } from '../config/edge-config-schema.js';
import { EdgeError } from '../errors.js';
import type { EdgeMetrics } from '../metrics.js';
import type { RateLimitedLog } from '../rate-limited-log.js';
import type { UpstreamPublish } from '../upstream/canonical-publisher.js';
import { EVICTION_CLASSES, evictionClassOf, type EvictionClass } from './eviction-class.js';
import { GatherJournal } from './gather-journal.js';
import {
  KEY_BYTES,
  QUEUE_KEY_END,
  decodeEntry,
  decodeJournalKey,
  decodeKey,
  encodeEntry,
  encodeKey,
} from './queue-key.js';

export interface QueueEntry {
  key: bigint;
  topic: string;
  body: string;
  /** Key plus value bytes, as counted against `maxBytes`. */
  size: number;
}

export interface DurableQueueOptions {
  dir: string;
  config: BufferConfig;
  metrics: EdgeMetrics;
  warnings: RateLimitedLog;
  logger: Logger;
}

export interface QueueStats {
  depth: number;
  bytes: number;
  dropped: number;
  diskLow: boolean;
}

/**
 * The buffer's on-disk format: 8-byte big-endian keys, `topic\npayload` values (queue-key.ts);
 * above them, under 0xff-prefixed keys, the chunks of the gather journal (gather-journal.ts).
 * Format 1 had no journal: this release reads it as it is. A release of format 1 would read
 * a journal chunk a crash left as a queued message, so it is refused a format-2 folder.
 */
export const BUFFER_FORMAT = { store: 'edge-buffer-leveldb', version: 2 } as const;
const BUFFER_FORMAT_EXTENDS = [1] as const;

/** Messages waiting for the disk beyond this are dropped oldest-first (a stuck disk must not eat RAM). */
const MAX_PENDING = 50_000;

/**
 * The store-and-forward buffer: an append-only LevelDB log keyed by a monotonic
 * sequence. Appends are grouped for `flushIntervalMs` and written as one batch with
 * `sync: true` (one fsync per group); only then are they visible to the forwarder.
 *
 * Durability: a kill -9 or power cut loses at most the group not yet written (one
 * window, events are written at once). What batch mode gathers for a batch rides the same
 * group commits in the gather journal (`gathered`), so it is no less durable.
 * `whenDurable` says when everything handed over so far is on disk (a LAN device's
 * PUBACK waits for it). LevelDB's log is checksummed per record and
 * recovery drops a torn tail, so a cut never corrupts what was synced. Deletes (acks,
 * drops) are not synced: after a cut some acknowledged messages may be sent again,
 * which ingest tolerates (same seq).
 *
 * Sent ahead: what a flush takes is offered to `onFlush` listeners at once, so a fire alarm
 * goes uplink while its write waits for the one before it and runs its fsync, not after.
 * An entry claimed there and acknowledged before it is on disk is deleted only once its
 * group is written (a delete queued first could be overtaken by the put). A cut before
 * the write ends loses the group from the disk as it always did, but an entry sent ahead
 * may have reached the platform: nothing is lost that was not lost before. Its key is
 * reused after the restart, which is harmless: keys never leave the gateway, and the
 * message's per-device seq skips ahead after a crash (SEQ_CRASH_MARGIN), so no later
 * message repeats it.
 *
 * Bounds: past `maxMessages` or `maxBytes`, or while the disk has less than
 * `reserveBytes` free (then the buffer stops growing), entries not in flight are
 * dropped and counted: the oldest readings first, events after them by severity.
 */
export class DurableQueue implements UpstreamPublish {
  private db: ClassicLevel<Buffer, string> | undefined;
  private nextSeq = 0n;
  private durableNext = 0n;
  private pending: Array<QueueEntry & { value: string }> = [];
  private count = 0;
  private bytes = 0;
  private droppedCount = 0;
  /** Keys handed to the forwarder, or being deleted, and not yet released or gone: never read or dropped again. */
  private readonly claimed = new Set<bigint>();
  /**
   * Keys deleted while an iterator was open. LevelDB iterators read a snapshot, so an
   * open one may still yield them; skipping them keeps a deleted message from being
   * sent or counted twice. Cleared once no iterator is open.
   */
  private readonly tombstones = new Set<bigint>();
  private openIterators = 0;
  private acked: QueueEntry[] = [];
  private deleting: Promise<void> = Promise.resolve();
  private deleteScheduled = false;
  private writing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  private diskTimer: NodeJS.Timeout | undefined;
  private urgentQueued = false;
  private lowDiskCap: { messages: number; bytes: number } | undefined;
  private readonly durableListeners = new Set<() => void>();
  private readonly flushListeners = new Set<(entries: readonly QueueEntry[]) => void>();
  /** Keys below this were offered to the flush listeners. */
  private offeredNext = 0n;
  /** Sent ahead and acknowledged while their group was still being written. */
  private ackedAhead: QueueEntry[] = [];
  /** Per eviction class: below this key no unclaimed entry of the class is left. */
  private frontiers: bigint[] = EVICTION_CLASSES.map(() => 0n);
  /** Waiting for the group commit that takes what is pending now: told whether it was written. */
  private durableWaiters: Array<(written: boolean) => void> = [];
  /** What batch mode gathered and has not yet put in a batch, journaled in the group commits. */
  readonly gathered = new GatherJournal();

  constructor(private readonly options: DurableQueueOptions) {}

  async start(): Promise<void> {
    checkFolderFormat(
      this.options.dir,
      BUFFER_FORMAT,
      "the gateway's buffer / 网关缓存",
      BUFFER_FORMAT_EXTENDS,
    );
    const db = new ClassicLevel<Buffer, string>(this.options.dir, {
      keyEncoding: 'buffer',
      valueEncoding: 'utf8',
      // Small caches: a gateway has 1 GB of RAM and reads the log front to back.
      cacheSize: 2 * 1024 * 1024,
      writeBufferSize: 1024 * 1024,
    });
    await db.open();
    this.db = db;
    let last: bigint | undefined;
    for await (const [key, value] of db.iterator({ lt: QUEUE_KEY_END })) {
      this.count++;
      this.bytes += KEY_BYTES + Buffer.byteLength(value);
      last = decodeKey(key);
    }
    this.nextSeq = last === undefined ? 0n : last + 1n;
    this.durableNext = this.nextSeq;
    this.offeredNext = this.nextSeq;
    if (this.count > 0) {
      this.options.logger.info({ depth: this.count, bytes: this.bytes }, 'buffer holds messages from before');
    }
    await this.restoreJournal(db);
    await this.checkDisk();
    this.flushTimer = setInterval(() => void this.flush(), this.options.config.flushIntervalMs);
    this.diskTimer = setInterval(() => void this.checkDisk(), this.options.config.diskCheckIntervalS * 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.diskTimer);
    this.flushTimer = undefined;
    this.diskTimer = undefined;
    await this.flush();
    await this.deleteAcked();
    const db = this.db;
    this.db = undefined;
    this.durableListeners.clear();
    this.claimed.clear();
    // Handed over after the last write: never to be written.
    for (const waiter of this.durableWaiters.splice(0)) waiter(false);
    await db?.close();
  }

  /** Messages not yet acknowledged upstream: on disk plus waiting for the disk. */
  get depth(): number {
    return this.count + this.pending.length;
  }

  stats(): QueueStats {
    return {
      depth: this.depth,
      bytes: this.bytes,
      dropped: this.droppedCount,
      diskLow: this.lowDiskCap !== undefined,
    };
  }

  /**
   * Every key below this is durable (or was dropped); keys from here on are still on
   * their way to the disk and are announced by `onDurable` when they arrive.
   */
  get durableEnd(): bigint {
    return this.durableNext;
  }

  /** Called after each group of messages became durable (the forwarder wakes up). */
  onDurable(listener: () => void): () => void {
    this.durableListeners.add(listener);
    return () => this.durableListeners.delete(listener);
  }

  /**
   * Called when a flush takes new entries, in key order, before they are written; the
   * listener may `claimAhead` them and send them before they are durable.
   */
  onFlush(listener: (entries: readonly QueueEntry[]) => void): () => void {
    this.flushListeners.add(listener);
    return () => this.flushListeners.delete(listener);
  }

  /** Claims an entry offered by `onFlush`, as `read` claims a durable one. */
  claimAhead(entry: QueueEntry): void {
    this.claimed.add(entry.key);
  }

  /**
   * Resolves once everything handed to the buffer so far (appends and gathered items) is
   * on disk: `true` when its group commit was written, `false` when the write failed.
   */
  whenDurable(): Promise<boolean> {
    if (!this.db || (this.pending.length === 0 && !this.gathered.dirty)) return Promise.resolve(true);
    return new Promise((resolve) => this.durableWaiters.push(resolve));
  }

  /** UpstreamPublish: canonical messages and health enter the buffer here. */
  publish(topic: string, payload: unknown): void {
    const urgent = topic.endsWith('/event');
    this.append(topic, JSON.stringify(payload), urgent);
  }

  /** Queues a message for the next group commit; `urgent` commits it at once (events). */
  append(topic: string, body: string, urgent = false): void {
    if (!this.db) return;
    const value = encodeEntry(topic, body);
    this.pending.push({
      key: this.nextSeq++,
      topic,
      body,
      value,
      size: KEY_BYTES + Buffer.byteLength(value),
    });
    if (this.pending.length > MAX_PENDING) {
      const dropped = this.pending.shift()!;
      // Sent ahead, it is not deleted when acknowledged: it was never written.
      this.claimed.delete(dropped.key);
      this.ackedAhead = this.ackedAhead.filter((entry) => entry.key !== dropped.key);
      this.countDropped(1, 'disk_stalled');
    }
    if (urgent && !this.urgentQueued) {
      this.urgentQueued = true;
      setImmediate(() => {
        this.urgentQueued = false;
        void this.flush();
      });
    }
  }

  /** Writes what is pending as one synced batch; resolves when it is durable. */
  flush(): Promise<void> {
    this.offerPending();
    this.writing = this.writing.then(() => this.writePending());
    return this.writing;
  }

  /** Offers the entries pending and not offered yet to the flush listeners. */
  private offerPending(): void {
    let from = this.pending.length;
    while (from > 0 && this.pending[from - 1]!.key >= this.offeredNext) from--;
    if (from === this.pending.length) return;
    const entries = this.pending.slice(from);
    this.offeredNext = entries[entries.length - 1]!.key + 1n;
    for (const listener of this.flushListeners) listener(entries);
  }

  /**
   * Up to `limit` durable entries with keys in [from, to), oldest first, skipping
   * those already claimed; the returned entries are claimed until acked or released.
   */
  async read(from: bigint, to: bigint | undefined, limit: number): Promise<QueueEntry[]> {
    const db = this.db;
    if (!db || limit <= 0) return [];
    const entries: QueueEntry[] = [];
    const range = { gte: encodeKey(from), lt: to === undefined ? QUEUE_KEY_END : encodeKey(to) };
    for await (const [key, value] of this.scan(db, range)) {
      const { topic, body } = decodeEntry(value);
      this.claimed.add(key);
      entries.push({ key, topic, body, size: KEY_BYTES + Buffer.byteLength(value) });
      if (entries.length >= limit) break;
    }
    return entries;
  }

  /** Live entries in key order, skipping those claimed or already deleted. */
  private async *scan(
    db: ClassicLevel<Buffer, string>,
    range: { gte?: Buffer; lt?: Buffer } = {},
  ): AsyncGenerator<[bigint, string]> {
    this.openIterators++;
    try {
      for await (const [rawKey, value] of db.iterator({ lt: QUEUE_KEY_END, ...range })) {
        const key = decodeKey(rawKey);
        if (this.claimed.has(key) || this.tombstones.has(key)) continue;
        yield [key, value];
      }
    } finally {
      if (--this.openIterators === 0) this.tombstones.clear();
    }
  }

  /** Deleted keys stop being claimed; an open iterator's snapshot must still skip them. */
  private forget(keys: Iterable<bigint>): void {
    for (const key of keys) {
      this.claimed.delete(key);
      if (this.openIterators > 0) this.tombstones.add(key);
    }
  }

  /** The broker acknowledged the entry: it is deleted (in a batch, soon; once written, if sent ahead). */
  ack(entry: QueueEntry): void {
    if (!this.claimed.has(entry.key)) return;
    if (entry.key >= this.durableNext) {
      this.ackedAhead.push(entry);
      return;
    }
    this.acked.push(entry);
    if (this.deleteScheduled) return;
    this.deleteScheduled = true;
    setImmediate(() => void this.deleteAcked());
  }

  /** Publishing failed: the entry stays and may be read again. */
  release(entry: QueueEntry): void {
    this.claimed.delete(entry.key);
  }

  private async writePending(): Promise<void> {
    const waiters = this.durableWaiters;
    this.durableWaiters = [];
    const written = await this.writeGroup();
    for (const waiter of waiters) waiter(written);
  }

  /** Writes the pending group and the journal's part with one synced batch; false if the write failed. */
  private async writeGroup(): Promise<boolean> {
    const db = this.db;
    if (!db || (this.pending.length === 0 && !this.gathered.dirty)) return true;
    const group = this.pending;
    this.pending = [];
    let failure: { error: unknown } | undefined;
    try {
      await db.batch(
        [
          ...group.map((entry) => ({ type: 'put' as const, key: encodeKey(entry.key), value: entry.value })),
          ...this.gathered.takeOps(),
        ],
        { sync: true },
      );
    } catch (error) {
      failure = { error };
      this.gathered.notWritten();
    }
    if (group.length === 0) {
      if (failure === undefined) return true;
      this.warnWriteFailed(failure.error, 0);
      return false;
    }
    // Written or lost, these keys are no longer on their way to the disk.
    const last = group[group.length - 1]!.key;
    this.durableNext = last + 1n;
    const ackedAhead = this.ackedAhead.filter((entry) => entry.key <= last);
    this.ackedAhead = this.ackedAhead.filter((entry) => entry.key > last);
    if (failure !== undefined) {
      // Nothing of the group is on disk: what was sent ahead is only let go, acknowledged or not
      // (a later acknowledgement must not delete, or count off, what was never written).
      for (const entry of group) this.claimed.delete(entry.key);
      this.countDropped(group.length, 'write_failed');
      this.warnWriteFailed(failure.error, group.length);
      return false;
    }
    this.count += group.length;
    for (const entry of group) this.bytes += entry.size;
    for (const entry of ackedAhead) this.ack(entry);
    await this.enforceLimits();
    for (const listener of this.durableListeners) listener();
    return true;
  }

  private warnWriteFailed(error: unknown, lost: number): void {
    const coded = new EdgeError('BUFFER_WRITE_FAILED', (error as Error).message, { cause: error });
    this.options.warnings.warn('buffer:write', { err: coded, lost }, coded.message);
  }

  /** Reads the gather journal's chunks a crash left (gather-journal.ts). */
  private async restoreJournal(db: ClassicLevel<Buffer, string>): Promise<void> {
    const found: Array<{ chunk: bigint; value: string }> = [];
    for await (const [key, value] of db.iterator({ gte: QUEUE_KEY_END })) {
      found.push({ chunk: decodeJournalKey(key), value });
    }
    if (found.length === 0) return;
    const unreadable = this.gathered.restore(found);
    if (unreadable > 0) this.countDropped(unreadable, 'journal_unreadable');
    this.options.logger.info(
      { chunks: found.length },
      'buffer holds items gathered for a batch before a crash',
    );
  }

  private deleteAcked(): Promise<void> {
    this.deleteScheduled = false;
    const batch = this.acked;
    this.acked = [];
    if (batch.length === 0) return this.deleting;
    this.deleting = this.deleting.then(async () => {
      const db = this.db;
      if (!db) return;
      try {
        await db.batch(batch.map((entry) => ({ type: 'del' as const, key: encodeKey(entry.key) })));
        this.count -= batch.length;
        for (const entry of batch) this.bytes -= entry.size;
        this.forget(batch.map((entry) => entry.key));
      } catch (error) {
        for (const entry of batch) this.claimed.delete(entry.key);
        this.options.logger.warn(
          { err: error },
          'cannot delete acknowledged messages; they will be sent again',
        );
      }
    });
    return this.deleting;
  }

  private limits(): { messages: number; bytes: number } {
    const { maxMessages, maxBytes } = this.options.config;
    const low = this.lowDiskCap;
    return low
      ? { messages: Math.min(maxMessages, low.messages), bytes: Math.min(maxBytes, low.bytes) }
      : { messages: maxMessages, bytes: maxBytes };
  }

  /**
   * Drops entries not in flight until the buffer is within its limits: the oldest
   * readings first, then the oldest events by rising severity (eviction-class.ts), so
   * a fire alarm buffered during an outage outlives what came after it.
   */
  private async enforceLimits(): Promise<void> {
    const db = this.db;
    const cap = this.limits();
    if (!db || (this.count <= cap.messages && this.bytes <= cap.bytes)) return;
    const victims: Array<{ key: bigint; size: number; cls: EvictionClass }> = [];
    const frontiers = [...this.frontiers];
    const state = { count: this.count, bytes: this.bytes };
    for (const cls of EVICTION_CLASSES) {
      if (state.count <= cap.messages && state.bytes <= cap.bytes) break;
      frontiers[cls] = await this.collectVictims(db, cls, cap, state, victims);
    }
    if (victims.length === 0) return;
    try {
      await db.batch(victims.map((v) => ({ type: 'del' as const, key: encodeKey(v.key) })));
    } catch (error) {
      for (const victim of victims) this.claimed.delete(victim.key);
      this.options.logger.warn(
        { err: error },
        'cannot drop the oldest messages; the buffer stays over its limit',
      );
      return;
    }
    this.frontiers = frontiers;
    // Relative updates: acknowledged deletes may have run meanwhile.
    this.count -= victims.length;
    for (const victim of victims) this.bytes -= victim.size;
    this.forget(victims.map((v) => v.key));
    const reason = this.lowDiskCap ? 'disk_reserve' : 'buffer_full';
    const events = victims.filter((v) => v.cls > 0).length;
    if (victims.length > events) this.countDropped(victims.length - events, reason);
    if (events > 0) this.countDropped(events, `${reason}_events`);
  }

  /**
   * The oldest entries of class `cls` not in flight, until the buffer would be within
   * `cap`; claimed so that no read hands one to the forwarder while it is deleted.
   * Returns the new frontier of the class: below it no unclaimed entry of that class is
   * left (new ones are appended above), so the next pass starts there instead of
   * walking again over everything kept.
   */
  private async collectVictims(
    db: ClassicLevel<Buffer, string>,
    cls: EvictionClass,
    cap: { messages: number; bytes: number },
    state: { count: number; bytes: number },
    victims: Array<{ key: bigint; size: number; cls: EvictionClass }>,
  ): Promise<bigint> {
    let frontier = this.frontiers[cls] as bigint;
    let blocked = false;
    this.openIterators++;
    try {
      for await (const [rawKey, value] of db.iterator({ gte: encodeKey(frontier), lt: QUEUE_KEY_END })) {
        if (state.count <= cap.messages && state.bytes <= cap.bytes) break;
        const key = decodeKey(rawKey);
        if (this.tombstones.has(key)) continue;
        const { topic, body } = decodeEntry(value);
        if (evictionClassOf(topic, body) !== cls) {
          if (!blocked) frontier = key + 1n;
          continue;
        }
        if (this.claimed.has(key)) {
          blocked = true;
          continue;
        }
        const size = KEY_BYTES + Buffer.byteLength(value);
        this.claimed.add(key);
        victims.push({ key, size, cls });
        state.count--;
        state.bytes -= size;
        if (!blocked) frontier = key + 1n;
      }
    } finally {
      if (--this.openIterators === 0) this.tombstones.clear();
    }
    return frontier;
  }

  private countDropped(n: number, reason: string): void {
    this.droppedCount += n;
    this.options.metrics.bufferDroppedTotal.inc({ reason }, n);
    this.options.warnings.warn(
      `buffer:drop:${reason}`,
      { dropped: n, reason, total: this.droppedCount },
      'buffer full: oldest messages dropped',
    );
  }

  /** Below the free-space reserve the buffer stops growing; above it the configured limits apply again. */
  private async checkDisk(): Promise<void> {
    let free: number;
    try {
      const stats = await statfs(this.options.dir);
      free = stats.bavail * stats.bsize;
    } catch {
      return;
    }
    const low = free < this.options.config.reserveBytes;
    if (low && !this.lowDiskCap) {
      // Keep room for live traffic: the in-flight window, twice over.
      const floor = 2 * this.options.config.inflightWindow;
      this.lowDiskCap = { messages: Math.max(this.count, floor), bytes: Math.max(this.bytes, floor * 512) };
      this.options.logger.warn(
        { freeBytes: free, reserveBytes: this.options.config.reserveBytes, depth: this.count },
        'disk space below reserve: buffer stops growing, oldest messages will be dropped',
      );
    } else if (!low && this.lowDiskCap) {
      this.lowDiskCap = undefined;
      this.options.logger.info({ freeBytes: free }, 'disk space above reserve again');
    }
  }
}
