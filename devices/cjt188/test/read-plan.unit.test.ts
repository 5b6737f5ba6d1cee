import { describe, expect, it } from 'vitest';
import { getCjt188Profile } from '../../catalogue.js';
import { CJT188_FUNCTION } from '../control-code.js';
import { decodeCjt188Frame } from '../frame-decode.js';
import { encodeCjt188MeteringData, encodeCjt188Status } from '../metering-data.js';
import {
  encodeCjt188ErrorReply,
  encodeCjt188ReadReply,
  parseCjt188Reply,
  type Cjt188Reply,
} from '../messages.js';
import { decodeCjt188Reading, planCjt188Reads } from '../read-plan.js';

const profile = getCjt188Profile('cjt188-cold-water');
const METER = '20250101000001';

function reply(bytes: Buffer): Cjt188Reply {
  return parseCjt188Reply(decodeCjt188Frame(bytes), { func: CJT188_FUNCTION.readData, address: METER });
}

const data = (currentTotalM3: number) =>
  encodeCjt188MeteringData({
    currentTotalM3,
    settlementTotalM3: 10.5,
    clock: { year: 2025, month: 1, day: 2, hour: 3, minute: 4, second: 5 },
    status: { word: encodeCjt188Status({ valve: 0, batteryLow: true }), valve: 0, batteryLow: true },
  });

describe('CJ/T 188 read plan', () => {
  it('one request for every item of the profile: they all come from 901F', () => {
    const reads = planCjt188Reads(profile, METER);
    expect(reads.map((r) => r.dataId)).toEqual(['901F']);
    expect(reads[0]?.request.subarray(0, 3)).toEqual(Buffer.from([0xfe, 0xfe, 0x68]));
  });

  it('decodes every field of the profile from one reply', () => {
    const replies = new Map([['901F', reply(encodeCjt188ReadReply(0x10, METER, '901F', data(321.07)))]]);
    expect(decodeCjt188Reading(profile, replies)).toEqual({
      values: {
        forward_total_m3: 321.07,
        settlement_total_m3: 10.5,
        valve_state_code: 0,
        battery_low_code: 1,
      },
      errors: [],
    });
  });

  it('a refused or missing identifier leaves every field out with the reason', () => {
    const refused = new Map([
      ['901F', reply(encodeCjt188ErrorReply(0x10, METER, CJT188_FUNCTION.readData, 3))],
    ]);
    const reading = decodeCjt188Reading(profile, refused);
    expect(reading.values).toEqual({});
    expect(reading.errors[0]?.reason).toMatch(/meter refused 901F/);
    expect(decodeCjt188Reading(profile, new Map()).errors).toHaveLength(profile.items.length);
  });
});
