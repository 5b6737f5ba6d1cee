import { whileStoringMessage } from './session-database.js';

/**
 * A QoS 1 message's store for persistent subscribers, split from its sync. aedes hands a
 * message to online subscribers only once it is stored, and sends the publisher's PUBACK
 * after the `published` hook; the PUBACK is what needs the sync (the gateway deletes its
 * copy on it), the delivery does not. Here the store completes once its writes are queued,
 * and `synced` gives the broker's `published` hook what to wait for, so a fire alarm
 * reaches alerting while its fsync runs instead of after it, and acknowledged still means
 * on disk. Lost in a crash before the sync, the message was delivered but not
 * acknowledged: the publisher sends it again (QoS 1 allows the duplicate).
 *
 * aedes stores a copy of the packet it published (aedes-packet), which keeps the original's
 * payload: the syncs are found by that payload, a Buffer for every message from the wire.
 */
export class MessageSyncs {
  private readonly byPayload = new WeakMap<object, Promise<void>>();

  /** Runs a message's store with its syncs deferred; resolves once the writes are queued. */
  store<T>(packet: { payload?: unknown }, run: () => Promise<T>): Promise<T> {
    const syncs: Array<Promise<void>> = [];
    const queued = whileStoringMessage(syncs, run);
    const payload = packet.payload;
    if (typeof payload !== 'object' || payload === null) return queued;
    const earlier = this.byPayload.get(payload);
    const synced = queued.then(() => Promise.all([earlier, ...syncs])).then(() => undefined);
    // Whoever waits handles a failure; this copy only must not go unhandled.
    synced.catch(() => undefined);
    this.byPayload.set(payload, synced);
    return queued;
  }

  /** Settles once the stores of this message are synced; undefined when none was deferred. */
  synced(packet: { payload?: unknown }): Promise<void> | undefined {
    const payload = packet.payload;
    if (typeof payload !== 'object' || payload === null) return undefined;
    const synced = this.byPayload.get(payload);
    this.byPayload.delete(payload);
    return synced;
  }
}
