import { encodeRecord, OUTGOING_BLOCKS, type BlockPrefixes } from './journal-records.js';

/** One LevelDB operation of a journal batch. */
export type JournalOperation = { type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string };

/**
 * Where one grouped record is on disk. RecordBlocks moves it; its owner only holds it
 * (a queued record is its own place, so a message costs no extra object).
 */
export interface RecordPlace {
  /** The block it was written in and its position there, once its batch is cut. */
  block?: number;
  index?: number;
  /** Written under a key of its own, by a journal from before blocks. */
  ownKey?: string;
}

/** A block as read back at start-up: how many records it holds and which of them are gone. */
export interface StoredBlock {
  block: number;
  size: number;
  gone: number[];
}

interface BlockState {
  live: number;
  readonly gone: number[];
}

/**
 * Records that are put once and deleted once (queued messages), grouped: every record a
 * group (a client) put since the last cut is written as one LevelDB value, a block, and a
 * record that goes only adds its index to the block's list of gone records. A block and
 * its list are deleted with the last of its records. LevelDB's cost is mostly per
 * operation (checks and N-API conversion on the event loop, then its log, memtable and
 * compactions), so a message costs a share of three operations per block instead of a
 * put and a delete of its own. Records of one client are acknowledged roughly in order,
 * so a client away for a day pins its own blocks only.
 *
 * A record put again (a PUBREL in a PUBLISH's place) leaves its old block and joins the
 * next one; a record that goes before its batch is cut never reaches the disk.
 */
export class RecordBlocks {
  /** Put since the last cut, in put order; grouped as the batch is cut. */
  private readonly pending = new Map<RecordPlace, { group: string; value: () => object }>();
  private readonly blocks = new Map<number, BlockState>();
  private readonly changed = new Set<number>();
  private readonly keysGone: string[] = [];
  private nextBlock = 0;

  constructor(private readonly prefixes: BlockPrefixes = OUTGOING_BLOCKS) {}

  /** How many blocks are on disk (or about to be); for tests and metrics. */
  get size(): number {
    return this.blocks.size;
  }

  /** Takes the blocks found at start-up; gone-lists without a block (`orphans`) are deleted. */
  restore(stored: StoredBlock[], orphans: number[] = []): void {
    for (const { block, size, gone } of stored) {
      this.blocks.set(block, { live: size - gone.length, gone: [...gone] });
      if (gone.length >= size) this.changed.add(block);
    }
    for (const block of orphans) this.keysGone.push(this.goneKey(block));
    // A loop, not Math.max(...): a consumer away for a week can leave hundreds of thousands of blocks.
    for (const { block } of stored) this.nextBlock = Math.max(this.nextBlock, block + 1);
    for (const block of orphans) this.nextBlock = Math.max(this.nextBlock, block + 1);
  }

  /** `value` is called once, as the batch is cut, so it encodes the record's state then. */
  put(place: RecordPlace, group: string, value: () => object): void {
    this.leaveDisk(place);
    // Deleted first, so a record put again goes to the end, after what was put in between.
    this.pending.delete(place);
    this.pending.set(place, { group, value });
  }

  remove(place: RecordPlace): void {
    this.leaveDisk(place);
    this.pending.delete(place);
  }

  /** The key of the block holding the record and its index there; undefined while it waits for a cut. */
  locate(place: RecordPlace): { key: string; index?: number } | undefined {
    if (place.ownKey !== undefined) return { key: place.ownKey };
    if (place.block === undefined) return undefined;
    return { key: this.blockKey(place.block), index: place.index };
  }

  /** The operations that write what changed since the last cut; records put since then get their places. */
  cut(): JournalOperation[] {
    const operations: JournalOperation[] = [];
    const byGroup = new Map<string, { block: number; values: object[] }>();
    for (const [place, { group, value }] of this.pending) {
      let forGroup = byGroup.get(group);
      if (forGroup === undefined) byGroup.set(group, (forGroup = { block: this.nextBlock++, values: [] }));
      place.block = forGroup.block;
      place.index = forGroup.values.length;
      forGroup.values.push(value());
    }
    this.pending.clear();
    for (const { block, values } of byGroup.values()) {
      this.blocks.set(block, { live: values.length, gone: [] });
      operations.push({ type: 'put', key: this.blockKey(block), value: encodeRecord(values) });
    }
    for (const block of this.changed) {
      const state = this.blocks.get(block) as BlockState;
      if (state.live > 0) {
        operations.push({ type: 'put', key: this.goneKey(block), value: encodeRecord(state.gone) });
        continue;
      }
      this.blocks.delete(block);
      operations.push({ type: 'del', key: this.blockKey(block) }, { type: 'del', key: this.goneKey(block) });
    }
    this.changed.clear();
    for (const key of this.keysGone) operations.push({ type: 'del', key });
    this.keysGone.length = 0;
    return operations;
  }

  private blockKey(block: number): string {
    return `${this.prefixes.block}${block}`;
  }

  private goneKey(block: number): string {
    return `${this.prefixes.gone}${block}`;
  }

  /** Whatever the record had on disk is marked gone (or deleted, under its own key). */
  private leaveDisk(place: RecordPlace): void {
    if (place.ownKey !== undefined) {
      this.keysGone.push(place.ownKey);
      place.ownKey = undefined;
      return;
    }
    if (place.block === undefined) return;
    const state = this.blocks.get(place.block);
    if (state !== undefined) {
      state.gone.push(place.index as number);
      state.live--;
      this.changed.add(place.block);
    }
    place.block = undefined;
    place.index = undefined;
  }
}
