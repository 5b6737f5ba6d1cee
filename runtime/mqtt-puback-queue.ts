/** A QoS 1 message as the queue sees it: its packet id, and whether what was done with it is durable. */
export interface Acknowledgeable {
  readonly messageId: number;
  readonly settled: boolean;
}

/** PUBACK is packet type 4 with a remaining length of 2 (MQTT 3.1.1 §3.4). */
const PUBACK_HEADER = 0x40;
const PUBACK_BYTES = 4;

/**
 * One connection's QoS 1 messages in the order they arrived, and their PUBACKs sent in that
 * order ([MQTT-4.6.0-2]), each once its message is settled: a settled message waits for the
 * unsettled ones before it. The PUBACKs that can go leave together when the turn ends, in one
 * write, so a write's thousands of settled messages cost one system call, not one each.
 */
export class PubackQueue<T extends Acknowledgeable> {
  private waiting: Array<T | undefined> = [];
  private head = 0;
  private scheduled = false;
  private closed = false;

  constructor(private readonly write: (pubacks: Buffer) => void) {}

  /** Messages waiting for their PUBACK (for tests and metrics). */
  get size(): number {
    return this.waiting.length - this.head;
  }

  /** A message as it arrives, in arrival order. */
  add(message: T): void {
    if (!this.closed) this.waiting.push(message);
  }

  /** After `message` was settled: its PUBACK leaves at the end of the turn, unless an earlier one is unsettled. */
  settled(message: T): void {
    if (this.scheduled || this.closed || this.waiting[this.head] !== message) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** The connection is gone: no PUBACK of its messages may be written, on it or on the next one. */
  close(): void {
    this.closed = true;
    this.waiting = [];
    this.head = 0;
  }

  private flush(): void {
    this.scheduled = false;
    if (this.closed) return;
    let end = this.head;
    while (end < this.waiting.length && (this.waiting[end] as T).settled) end++;
    if (end === this.head) return;
    const pubacks = Buffer.allocUnsafe((end - this.head) * PUBACK_BYTES);
    for (let index = this.head, at = 0; index < end; index++, at += PUBACK_BYTES) {
      pubacks[at] = PUBACK_HEADER;
      pubacks[at + 1] = 2;
      pubacks.writeUInt16BE((this.waiting[index] as T).messageId, at + 2);
    }
    // Emptied at once, so what acknowledged messages hold is not kept until compaction.
    this.waiting.fill(undefined, this.head, end);
    this.head = end;
    // Compact now and then instead of shifting thousands of entries on every flush.
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    this.write(pubacks);
  }
}
