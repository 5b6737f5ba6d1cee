import type { AedesPacket } from 'aedes-packet';
import type { ResidentPayload } from './payload-budget.js';
import type { PayloadRef } from './payload-log.js';
import type { RecordPlace } from './record-blocks.js';

/**
 * One queued packet as the journal knows it: its key and queue position never change.
 * It is its own place in the journal's blocks; its key goes with its packet id.
 */
export interface QueuedRecord extends RecordPlace {
  readonly key: string;
  readonly seq: number;
  /** Of the packet first enqueued here: a replacement (a PUBREL) may carry another broker id, or none. */
  readonly brokerId: string | undefined;
  readonly brokerCounter: number | undefined;
  /**
   * A copy of what the in-memory queue holds at this position, as the journal writes it:
   * aedes changes the queue's own packet objects, and this one changes only with them.
   */
  packet: AedesPacket;
  /** Its payload's place in the RAM budget, until it is acknowledged or replaced. */
  payload?: ResidentPayload;
  /** Where its payload is in the payload log, until it is acknowledged or replaced. */
  payloadRef?: PayloadRef;
  /** Where the packet id it was sent with is in the journal, once that id was handed to it. */
  idPlace?: RecordPlace;
}
