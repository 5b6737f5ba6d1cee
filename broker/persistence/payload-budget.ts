import type { AedesPacket } from 'aedes-packet';

/**
 * Stands in for a payload dropped from RAM; compared by identity. Empty, so nothing that
 * reads it by mistake sees stale bytes.
 */
export const EVICTED_PAYLOAD: Buffer = Buffer.alloc(0);

export const isEvicted = (packet: AedesPacket): boolean =>
  (packet as { payload?: unknown }).payload === EVICTED_PAYLOAD;

/** What a session store's queues hold in RAM, and what they left on disk. */
export interface QueueMemory {
  /** Bytes of queued payloads in RAM. */
  payloadBytes: number;
  /** Queued messages whose payload is on disk only. */
  payloadsOnDiskOnly: number;
}

/** One queued message's payload, shared by the copies of the packet that hold it. */
export interface ResidentPayload {
  readonly seq: number;
  readonly bytes: number;
  readonly packets: readonly AedesPacket[];
  state: 'resident' | 'evicted' | 'released';
}

/**
 * Keeps the payloads of queued messages in RAM up to a byte budget, oldest dropped
 * first, and only once their journal record is written: a consumer that is away then
 * costs RAM per message for the queue's bookkeeping, not for what the messages carry
 * (a batch is kilobytes). Dropped payloads are read back from the journal when the
 * queue is resent.
 */
export class PayloadBudget {
  /** In queue order; entries before `head` are no longer resident. */
  private entries: ResidentPayload[] = [];
  private head = 0;
  private residentBytes = 0;
  private writtenUpTo = -1;
  private evictedCount = 0;

  constructor(private readonly budgetBytes: number) {}

  /** Bytes of queued payloads in RAM now. */
  get bytes(): number {
    return this.residentBytes;
  }

  /** Queued messages whose payload is on disk only. */
  get evicted(): number {
    return this.evictedCount;
  }

  /** Tracks a newly queued payload; `packets` are every in-memory copy holding it. */
  add(seq: number, packets: readonly AedesPacket[]): ResidentPayload {
    const payload = (packets[0] as { payload?: unknown } | undefined)?.payload;
    const bytes = Buffer.isBuffer(payload) ? payload.length : 0;
    const entry: ResidentPayload = { seq, bytes, packets, state: 'resident' };
    this.entries.push(entry);
    this.residentBytes += bytes;
    return entry;
  }

  /** Tracks a payload already on disk only (replayed from the journal without it). */
  addEvicted(seq: number): ResidentPayload {
    this.evictedCount++;
    return { seq, bytes: 0, packets: [], state: 'evicted' };
  }

  /** Every record up to `seq` is written to the journal, so its payload may go. */
  written(seq: number): void {
    if (seq > this.writtenUpTo) this.writtenUpTo = seq;
    this.evictOverBudget();
  }

  /** The message was acknowledged (or replaced): it leaves RAM and the budget. */
  release(entry: ResidentPayload): void {
    if (entry.state === 'resident') this.residentBytes -= entry.bytes;
    if (entry.state === 'evicted') this.evictedCount--;
    entry.state = 'released';
    this.skipGone();
  }

  private evictOverBudget(): void {
    while (this.residentBytes > this.budgetBytes && this.head < this.entries.length) {
      const entry = this.entries[this.head] as ResidentPayload;
      if (entry.state === 'resident') {
        if (entry.seq > this.writtenUpTo) break;
        for (const packet of entry.packets) (packet as { payload?: unknown }).payload = EVICTED_PAYLOAD;
        entry.state = 'evicted';
        this.residentBytes -= entry.bytes;
        this.evictedCount++;
      }
      this.head++;
    }
    this.compact();
  }

  private skipGone(): void {
    while (this.head < this.entries.length && this.entries[this.head]!.state !== 'resident') this.head++;
    this.compact();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
