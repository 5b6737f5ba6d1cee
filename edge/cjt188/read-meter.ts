import {
  CJT188_FUNCTION,
  cjt188AddressMatches,
  decodeCjt188Reading,
  parseCjt188Control,
  parseCjt188Reply,
  planCjt188Reads,
  type Cjt188Frame,
  type Cjt188Profile,
  type Cjt188Reply,
  type DecodedReading,
} from '../../devices/index.js';
import { EdgeError } from '../errors.js';
import { toCjt188Error } from './cjt188-error.js';
import type { Cjt188Transport } from './cjt188-transport.js';

export interface Cjt188MeterReading extends DecodedReading {
  transactions: number;
  /** Every reply by data identifier, for the technician's `probe --raw`. */
  replies: Map<string, Cjt188Reply>;
}

/** Whether `frame` answers a read sent to `address` (an error reply carries no identifier to match). */
function isReplyToRead(frame: Cjt188Frame, address: string): boolean {
  const control = parseCjt188Control(frame.control);
  return (
    control.isReply &&
    control.func === CJT188_FUNCTION.readData &&
    cjt188AddressMatches(frame.address, address)
  );
}

/**
 * Reads every item of a water meter's profile (one request per data identifier; the
 * common profile needs only 901F) and decodes them. A poll that yields no value fails:
 * CJT188_ERROR_REPLY when the meter refused, CJT188_BAD_FRAME otherwise.
 */
export async function readCjt188Meter(
  transport: Cjt188Transport,
  profile: Cjt188Profile,
  address: string,
  timeoutMs: number,
  onTransaction: () => void,
): Promise<Cjt188MeterReading> {
  const replies = new Map<string, Cjt188Reply>();
  for (const read of planCjt188Reads(profile, address)) {
    const what = `meter ${address} ${read.dataId}`;
    onTransaction();
    const frame = await transport.request(
      { request: read.request, accepts: (f) => isReplyToRead(f, address), what },
      timeoutMs,
    );
    try {
      const expected = {
        func: CJT188_FUNCTION.readData,
        address,
        dataId: read.dataId,
        edition: profile.edition,
      };
      replies.set(read.dataId, parseCjt188Reply(frame, expected));
    } catch (error) {
      throw toCjt188Error(error, `${transport.description} ${what}`);
    }
  }
  const reading = decodeCjt188Reading(profile, replies);
  if (Object.keys(reading.values).length === 0) {
    const where = `${transport.description} meter ${address}`;
    const reasons = reading.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
    const refused = [...replies.values()].some((r) => r.kind === 'error');
    throw new EdgeError(
      refused ? 'CJT188_ERROR_REPLY' : 'CJT188_BAD_FRAME',
      `${where}: ${reasons}`.slice(0, 600),
    );
  }
  return { ...reading, transactions: replies.size, replies };
}
