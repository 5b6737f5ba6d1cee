import type { GatherLog, GatheredItems, GatheredKind } from '../upstream/canonical-publisher.js';
import { encodeJournalKey } from './queue-key.js';

export type JournalOp = { type: 'put'; key: Buffer; value: string } | { type: 'del'; key: Buffer };

/**
 * Batch mode gathers readings and info events in memory for up to a batch interval
 * (CanonicalPublisher). So that a kill -9 loses no more of them than of anything else
 * (one flush window), what is gathered during a window is written in the buffer's
 * group commit as one chunk under a journal key (queue-key.ts). When the batch is
 * formed, the chunks are deleted in the group commit that writes the batch: an item is
 * on disk as a chunk or in its batch, never neither, never both. At start-up the chunks
 * a crash left are read back (`restore`) and become the first batch, seqs as they were.
 *
 * A group commit that fails (`notWritten`) changes nothing on disk: a chunk it put is put
 * again by the next one; the chunks it deleted still hold items of a batch that was not
 * written, so they are handed back as a crash's are (`takeRecovered`) and deleted with
 * the batch that takes them again.
 *
 * A chunk's value is `{"telemetry":[…],"events":[…]}`: the items' JSON as gathered.
 */
export class GatherJournal implements GatherLog {
  private telemetry: string[] = [];
  private events: string[] = [];
  /** Chunks of items not yet in a batch, written or being written: key → value. */
  private chunks = new Map<bigint, string>();
  /** Of `chunks`, those whose write failed: the next group commit puts them again. */
  private unwritten = new Set<bigint>();
  /** Chunks to delete in the next group commit: their items are in a batch now. */
  private doomed = new Map<bigint, string>();
  /** What the group commit in flight carries (one runs at a time). */
  private inFlight: { puts: bigint[]; deletes: Map<bigint, string> } = { puts: [], deletes: new Map() };
  private nextChunk = 0n;
  private left: GatheredItems = { telemetry: [], events: [] };

  add(kind: GatheredKind, json: string): void {
    (kind === 'telemetry' ? this.telemetry : this.events).push(json);
  }

  /** The batch was formed: everything gathered so far goes, in the group commit that writes the batch. */
  clear(): void {
    this.telemetry = [];
    this.events = [];
    for (const [chunk, value] of this.chunks) {
      if (!this.unwritten.has(chunk)) this.doomed.set(chunk, value);
    }
    this.chunks.clear();
    this.unwritten.clear();
  }

  /** Whether the next group commit has journal work to do. */
  get dirty(): boolean {
    return (
      this.telemetry.length > 0 || this.events.length > 0 || this.doomed.size > 0 || this.unwritten.size > 0
    );
  }

  /** The journal's part of the next group commit: deletes of doomed chunks, puts of what was gathered since. */
  takeOps(): JournalOp[] {
    const deletes = this.doomed;
    this.doomed = new Map();
    const puts = [...this.unwritten];
    this.unwritten.clear();
    if (this.telemetry.length > 0 || this.events.length > 0) {
      const chunk = this.nextChunk++;
      this.chunks.set(
        chunk,
        `{"telemetry":[${this.telemetry.join(',')}],"events":[${this.events.join(',')}]}`,
      );
      puts.push(chunk);
      this.telemetry = [];
      this.events = [];
    }
    this.inFlight = { puts, deletes };
    return [
      ...[...deletes.keys()].map((chunk): JournalOp => ({ type: 'del', key: encodeJournalKey(chunk) })),
      ...puts.map((chunk): JournalOp => ({
        type: 'put',
        key: encodeJournalKey(chunk),
        value: this.chunks.get(chunk)!,
      })),
    ];
  }

  /** The group commit that carried the last `takeOps` failed: none of it is on disk. */
  notWritten(): void {
    const { puts, deletes } = this.inFlight;
    this.inFlight = { puts: [], deletes: new Map() };
    for (const chunk of puts) {
      if (this.chunks.has(chunk)) this.unwritten.add(chunk);
      // Its items went into a batch meanwhile: never on disk, it needs no delete.
      else this.doomed.delete(chunk);
    }
    for (const [chunk, value] of deletes) this.takeBack(chunk, value);
  }

  /**
   * At start-up, before anything is gathered: the chunks found on disk, in key order.
   * They stay on disk until the batch they are gathered into is formed. Returns how many
   * could not be read (a chunk is written whole or not at all, so this means a bug).
   */
  restore(found: ReadonlyArray<{ chunk: bigint; value: string }>): number {
    let unreadable = 0;
    for (const { chunk, value } of found) {
      if (chunk >= this.nextChunk) this.nextChunk = chunk + 1n;
      if (!this.takeBack(chunk, value)) unreadable++;
    }
    return unreadable;
  }

  /** A chunk on disk whose items are in no batch: they wait in `left`; false if it cannot be read. */
  private takeBack(chunk: bigint, value: string): boolean {
    this.chunks.set(chunk, value);
    try {
      const parsed = JSON.parse(value) as { telemetry?: unknown; events?: unknown };
      if (Array.isArray(parsed.telemetry)) this.left.telemetry.push(...(parsed.telemetry as unknown[]));
      if (Array.isArray(parsed.events)) this.left.events.push(...(parsed.events as unknown[]));
      return true;
    } catch {
      return false;
    }
  }

  /** What a crash or a failed group commit left gathered and in no batch; handed over once. */
  takeRecovered(): GatheredItems {
    const left = this.left;
    this.left = { telemetry: [], events: [] };
    return left;
  }
}
