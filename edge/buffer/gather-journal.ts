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
 * A chunk's value is `{"telemetry":[…],"events":[…]}`: the items' JSON as gathered.
 */
export class GatherJournal implements GatherLog {
  private telemetry: string[] = [];
  private events: string[] = [];
  /** Chunks handed to a group commit (written, or being written) and not yet deleted. */
  private chunks: bigint[] = [];
  /** Chunks to delete in the next group commit: their items are in a batch now. */
  private doomed: bigint[] = [];
  private nextChunk = 0n;
  private left: GatheredItems = { telemetry: [], events: [] };

  add(kind: GatheredKind, json: string): void {
    (kind === 'telemetry' ? this.telemetry : this.events).push(json);
  }

  /** The batch was formed: everything gathered so far goes, in the group commit that writes the batch. */
  clear(): void {
    this.telemetry = [];
    this.events = [];
    for (const chunk of this.chunks) this.doomed.push(chunk);
    this.chunks = [];
  }

  /** Whether the next group commit has journal work to do. */
  get dirty(): boolean {
    return this.telemetry.length > 0 || this.events.length > 0 || this.doomed.length > 0;
  }

  /** The journal's part of the next group commit: deletes of doomed chunks, a put of what was gathered since. */
  takeOps(): JournalOp[] {
    const ops: JournalOp[] = this.doomed.map((chunk) => ({ type: 'del', key: encodeJournalKey(chunk) }));
    this.doomed = [];
    if (this.telemetry.length > 0 || this.events.length > 0) {
      const chunk = this.nextChunk++;
      const value = `{"telemetry":[${this.telemetry.join(',')}],"events":[${this.events.join(',')}]}`;
      ops.push({ type: 'put', key: encodeJournalKey(chunk), value });
      this.chunks.push(chunk);
      this.telemetry = [];
      this.events = [];
    }
    return ops;
  }

  /**
   * At start-up, before anything is gathered: the chunks found on disk, in key order.
   * They stay on disk until the batch they are gathered into is formed. Returns how many
   * could not be read (a chunk is written whole or not at all, so this means a bug).
   */
  restore(found: ReadonlyArray<{ chunk: bigint; value: string }>): number {
    let unreadable = 0;
    for (const { chunk, value } of found) {
      this.chunks.push(chunk);
      if (chunk >= this.nextChunk) this.nextChunk = chunk + 1n;
      try {
        const parsed = JSON.parse(value) as { telemetry?: unknown; events?: unknown };
        if (Array.isArray(parsed.telemetry)) this.left.telemetry.push(...(parsed.telemetry as unknown[]));
        if (Array.isArray(parsed.events)) this.left.events.push(...(parsed.events as unknown[]));
      } catch {
        unreadable++;
      }
    }
    return unreadable;
  }

  /** What a crash left gathered and not yet in a batch; handed over once. */
  takeRecovered(): GatheredItems {
    const left = this.left;
    this.left = { telemetry: [], events: [] };
    return left;
  }
}
