/** One received PUBLISH whose acknowledgement waits for its points to be stored. */
export interface AckTicket {
  readonly generation: number;
  /** QoS 0 messages have nothing to acknowledge. */
  readonly needsAck: boolean;
  settled: boolean;
  /** The PUBACK packet once mqtt.js has produced it (which may be after the ticket settled). */
  puback: object | undefined;
}

/**
 * Releases PUBACKs strictly in arrival order ([MQTT-4.6.0-2]): a ticket leaves the
 * head only when its points are stored (or dead-lettered) and its PUBACK exists.
 * Tickets of a closed connection are dropped unsent: their packet ids mean nothing
 * on the next connection, and the broker redelivers those messages anyway.
 */
export class AckQueue<T extends AckTicket = AckTicket> {
  /** A released slot is emptied at once, so a ticket (and what it holds) is not kept until compaction. */
  private tickets: Array<T | undefined> = [];
  private head = 0;

  constructor(
    private readonly isCurrent: (ticket: T) => boolean,
    private readonly send: (puback: object) => void,
  ) {}

  get size(): number {
    return this.tickets.length - this.head;
  }

  push(ticket: T): void {
    this.tickets.push(ticket);
  }

  settle(ticket: T): void {
    ticket.settled = true;
    this.release();
  }

  setPuback(ticket: T, puback: object): void {
    ticket.puback = puback;
    this.release();
  }

  release(): void {
    while (this.head < this.tickets.length) {
      const ticket = this.tickets[this.head] as T;
      if (this.isCurrent(ticket)) {
        if (!ticket.settled || (ticket.needsAck && !ticket.puback)) break;
        if (ticket.puback) this.send(ticket.puback);
      }
      this.tickets[this.head] = undefined;
      this.head++;
    }
    // Compact now and then instead of shifting on every release.
    if (this.head > 1024 && this.head * 2 > this.tickets.length) {
      this.tickets = this.tickets.slice(this.head);
      this.head = 0;
    }
  }
}
