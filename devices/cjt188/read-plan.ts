import type { DecodedReading, FieldError } from '../decode.js';
import type { Cjt188Profile } from '../profile-schema.js';
import { normaliseCjt188Address } from './address.js';
import { isCjt188Error } from './errors.js';
import { decodeCjt188MeteringData, type Cjt188MeteringData } from './metering-data.js';
import { encodeCjt188ReadRequest, type Cjt188Reply } from './messages.js';
import { CJT188_VALUE_PARTS } from './value-parts.js';

/** One request of a poll: one per data identifier the profile's items need. */
export interface Cjt188Read {
  dataId: string;
  /** The bytes to send, wake-up preamble included. */
  request: Buffer;
}

/** The requests that read every item of a profile from the meter at `address`. */
export function planCjt188Reads(profile: Cjt188Profile, address: string): Cjt188Read[] {
  const meter = normaliseCjt188Address(address);
  const dataIds = [...new Set(profile.items.map((item) => CJT188_VALUE_PARTS[item.part].dataId))];
  return dataIds.map((dataId) => ({
    dataId,
    request: encodeCjt188ReadRequest(profile.meterType, meter, dataId, {
      edition: profile.edition,
      preambleBytes: profile.preambleBytes,
    }),
  }));
}

/**
 * Decodes a poll's replies, keyed by data identifier. An item whose identifier was not
 * answered, was refused, does not decode (BCD, unit) or falls outside its valid range is
 * left out and reported, so one bad value never poisons the rest of the reading.
 */
export function decodeCjt188Reading(
  profile: Cjt188Profile,
  replies: ReadonlyMap<string, Cjt188Reply>,
): DecodedReading {
  const values: Record<string, number> = {};
  const errors: FieldError[] = [];
  const decoded = new Map<string, Cjt188MeteringData | string>();
  const dataOf = (dataId: string): Cjt188MeteringData | string => {
    const known = decoded.get(dataId);
    if (known !== undefined) return known;
    const reply = replies.get(dataId);
    let result: Cjt188MeteringData | string;
    if (!reply) result = `data identifier ${dataId} not read`;
    else if (reply.kind === 'error')
      result = `meter refused ${dataId} (status 0x${reply.status.word.toString(16)})`;
    else {
      try {
        result = decodeCjt188MeteringData(reply.payload);
      } catch (error) {
        if (!isCjt188Error(error)) throw error;
        result = error.message;
      }
    }
    decoded.set(dataId, result);
    return result;
  };
  for (const item of profile.items) {
    const part = CJT188_VALUE_PARTS[item.part];
    const data = dataOf(part.dataId);
    if (typeof data === 'string') {
      errors.push({ field: item.field, reason: data });
      continue;
    }
    const value = part.value(data);
    const range = item.validRange;
    if (range && (value < range[0] || value > range[1])) {
      errors.push({
        field: item.field,
        reason: `value ${value} outside valid range [${range[0]}, ${range[1]}]`,
      });
      continue;
    }
    values[item.field] = value;
  }
  return { values, errors };
}
