import type { DecodedReading, FieldError } from '../decode.js';
import type { Dlt645Profile } from '../profile-schema.js';
import { normaliseDlt645Address } from './address.js';
import { isDlt645Error } from './errors.js';
import type { Dlt645ReadReply } from './messages.js';
import { encodeReadRequest } from './messages.js';
import { decodeDlt645Value } from './value-codec.js';
import type { Dlt645ValueFormat } from './value-format.js';

/** One request of a poll: DL/T 645 reads one data identifier per request. */
export interface Dlt645Read {
  field: string;
  dataId: string;
  format: Dlt645ValueFormat;
  /** The bytes to send, wake-up preamble included. */
  request: Buffer;
}

/** The requests that read every item of a profile from the meter at `address`, in profile order. */
export function planDlt645Reads(profile: Dlt645Profile, address: string): Dlt645Read[] {
  const meter = normaliseDlt645Address(address);
  return profile.items.map((item) => ({
    field: item.field,
    dataId: item.dataId,
    format: item.format,
    request: encodeReadRequest(meter, item.dataId, { preambleBytes: profile.preambleBytes }),
  }));
}

/**
 * Decodes a poll's replies, keyed by data identifier. An item that was not answered,
 * that the meter refused, that is not BCD or that falls outside its valid range is
 * left out and reported, so one bad value never poisons the rest of the reading.
 */
export function decodeDlt645Reading(
  profile: Dlt645Profile,
  replies: ReadonlyMap<string, Dlt645ReadReply>,
): DecodedReading {
  const values: Record<string, number> = {};
  const errors: FieldError[] = [];
  for (const item of profile.items) {
    const fail = (reason: string) => errors.push({ field: item.field, reason });
    const reply = replies.get(item.dataId);
    if (!reply) {
      fail(`data identifier ${item.dataId} not read`);
      continue;
    }
    if (reply.kind === 'error') {
      fail(`meter refused ${item.dataId}: ${reply.reasons.join('; ')}`);
      continue;
    }
    let value: number;
    try {
      value = decodeDlt645Value(reply.value, item.format);
    } catch (error) {
      if (!isDlt645Error(error)) throw error;
      fail(error.message);
      continue;
    }
    const range = item.validRange;
    if (range && (value < range[0] || value > range[1])) {
      fail(`value ${value} outside valid range [${range[0]}, ${range[1]}]`);
      continue;
    }
    values[item.field] = value;
  }
  return { values, errors };
}
