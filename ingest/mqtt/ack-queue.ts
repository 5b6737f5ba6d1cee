/** One received PUBLISH whose acknowledgement waits for its points to be stored. */
export interface AckTicket {
  readonly generation: number;
  /** QoS 0 messages have nothing to acknowledge. */
  readonly needsAck: boolean;
  settled: boolean;
  /** Sends the PUBACK; set when mqtt.js has produced it (which may be after the ticket settled). */
  send: (() => void) | undefined;
}

/**
 * Releases PUBACKs strictly in arrival order ([MQTT-4.6.0-2]): a ticket leaves the
 * head only when its points are stored (or dead-lettered) and its PUBACK exists.
 * Tickets of a closed connection are dropped unsent: their packet ids mean nothing
 * on the next connection, and the broker redelivers those messages anyway.
 */
export class AckQueue {
  private tickets: AckTicket[] = [];
  private head = 0;

  constructor(private readonly isCurrent: (ticket: AckTicket) => boolean) {}

  get size(): number {
    return this.tickets.length - this.head;
  }

  push(ticket: AckTicket): void {
    this.tickets.push(ticket);
  }

  settle(ticket: AckTicket): void {
    ticket.settled = true;
    this.release();
  }

  setSender(ticket: AckTicket, send: () => void): void {
    ticket.send = send;
    this.release();
  }

  release(): void {
    while (this.head < this.tickets.length) {
      const ticket = this.tickets[this.head] as AckTicket;
      if (this.isCurrent(ticket)) {
        if (!ticket.settled || (ticket.needsAck && !ticket.send)) break;
        ticket.send?.();
      }
      this.head++;
    }
    // Compact now and then instead of shifting on every release.
    if (this.head > 1024 && this.head * 2 > this.tickets.length) {
      this.tickets = this.tickets.slice(this.head);
      this.head = 0;
    }
  }
}
