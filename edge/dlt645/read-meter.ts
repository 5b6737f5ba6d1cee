import {
  decodeDlt645DataId,
  decodeDlt645Reading,
  dlt645AddressMatches,
  DLT645_FUNCTION,
  parseDlt645Control,
  parseReadReply,
  planDlt645Reads,
  type DecodedReading,
  type Dlt645Frame,
  type Dlt645Profile,
  type Dlt645ReadReply,
} from '../../devices/index.js';
import { EdgeError } from '../errors.js';
import { toDlt645Error } from './dlt645-error.js';
import type { Dlt645Transport } from './dlt645-transport.js';

export interface Dlt645MeterReading extends DecodedReading {
  transactions: number;
  /** Every reply by data identifier, for the technician's `probe --raw`. */
  replies: Map<string, Dlt645ReadReply>;
}

/** Whether `frame` answers a read of `dataId` sent to `address` (a normal reply echoes the identifier; an error reply cannot). */
export function isReplyToRead(frame: Dlt645Frame, address: string, dataId: string): boolean {
  const control = parseDlt645Control(frame.control);
  if (!control.isReply || control.func !== DLT645_FUNCTION.readData) return false;
  if (!dlt645AddressMatches(frame.address, address)) return false;
  if (control.isAbnormal) return true;
  return frame.data.length >= 4 && decodeDlt645DataId(frame.data) === dataId;
}

/**
 * Reads every item of a meter's profile, one request per data identifier, and decodes
 * them. The first unanswered request ends the poll (a meter that misses one will miss
 * the next, and a dead meter must cost its line one timeout). An item the meter
 * refuses (D1) or sends garbled is left out and reported; a poll that yields no value
 * at all fails: DLT645_ERROR_REPLY when the meter refused, DLT645_BAD_FRAME otherwise.
 */
export async function readDlt645Meter(
  transport: Dlt645Transport,
  profile: Dlt645Profile,
  address: string,
  timeoutMs: number,
  onTransaction: () => void,
): Promise<Dlt645MeterReading> {
  const replies = new Map<string, Dlt645ReadReply>();
  for (const read of planDlt645Reads(profile, address)) {
    const what = `meter ${address} ${read.dataId}`;
    onTransaction();
    const frame = await transport.request(
      { request: read.request, accepts: (f) => isReplyToRead(f, address, read.dataId), what },
      timeoutMs,
    );
    try {
      replies.set(read.dataId, parseReadReply(frame, { address, dataId: read.dataId }));
    } catch (error) {
      throw toDlt645Error(error, `${transport.description} ${what}`);
    }
  }
  const reading = decodeDlt645Reading(profile, replies);
  if (Object.keys(reading.values).length === 0) {
    const refusals = [...replies.values()].filter((r) => r.kind === 'error');
    const where = `${transport.description} meter ${address}`;
    if (refusals.length > 0) {
      const reasons = [...new Set(refusals.flatMap((r) => (r.kind === 'error' ? r.reasons : [])))];
      throw new EdgeError('DLT645_ERROR_REPLY', `${where}: ${reasons.join('; ')}`);
    }
    const reasons = reading.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
    throw new EdgeError('DLT645_BAD_FRAME', `${where}: no valid value (${reasons})`.slice(0, 600));
  }
  return { ...reading, transactions: replies.size, replies };
}
