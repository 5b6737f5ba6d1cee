import { describe, expect, it } from 'vitest';
import { getDlt645Profile } from '../../catalogue.js';
import { decodeFrame } from '../frame-decode.js';
import {
  encodeErrorReply,
  encodeReadReply,
  parseReadReply,
  parseReadRequest,
  type Dlt645ReadReply,
} from '../messages.js';
import { decodeDlt645Reading, planDlt645Reads } from '../read-plan.js';
import { encodeDlt645Value } from '../value-codec.js';

const profile = getDlt645Profile('dlt645-single-phase');
const ADDRESS = '210987654321';

describe('DL/T 645 reading', () => {
  it('plans one request per data identifier, addressed to the meter', () => {
    const reads = planDlt645Reads(profile, ADDRESS);
    expect(reads.map((r) => r.dataId)).toEqual(profile.items.map((i) => i.dataId));
    for (const read of reads) {
      expect(read.request.subarray(0, profile.preambleBytes)).toEqual(
        Buffer.alloc(profile.preambleBytes, 0xfe),
      );
      expect(parseReadRequest(decodeFrame(read.request))).toEqual({ address: ADDRESS, dataId: read.dataId });
    }
  });

  it('decodes the replies of a poll into field values, reporting the ones that failed', () => {
    const values: Record<string, number> = {
      total_energy_kwh: 1234.56,
      import_energy_kwh: 1230.01,
      voltage_v: 229.8,
      current_a: 4.321,
      active_power_kw: 0.9412,
      frequency_hz: 50.02,
      power_factor_ratio: 0.948,
    };
    const replies = new Map<string, Dlt645ReadReply>();
    for (const read of planDlt645Reads(profile, ADDRESS)) {
      const value = encodeDlt645Value(values[read.field] as number, read.format);
      const frame = decodeFrame(encodeReadReply(ADDRESS, read.dataId, value));
      replies.set(read.dataId, parseReadReply(frame, { address: ADDRESS, dataId: read.dataId }));
    }
    expect(decodeDlt645Reading(profile, replies)).toEqual({ values, errors: [] });

    replies.set('02800002', parseReadReply(decodeFrame(encodeErrorReply(ADDRESS, 0x02))));
    replies.delete('02060000');
    replies.set('02010100', {
      ...(replies.get('02010100') as Dlt645ReadReply & { kind: 'data' }),
      value: Buffer.from([0xff, 0xff]),
    });
    const { values: partial, errors } = decodeDlt645Reading(profile, replies);
    expect(Object.keys(partial).sort()).toEqual([
      'active_power_kw',
      'current_a',
      'import_energy_kwh',
      'total_energy_kwh',
    ]);
    expect(errors.map((e) => e.field).sort()).toEqual(['frequency_hz', 'power_factor_ratio', 'voltage_v']);
    expect(errors.find((e) => e.field === 'frequency_hz')?.reason).toMatch(/no such data/);
    expect(errors.find((e) => e.field === 'voltage_v')?.reason).toMatch(/DLT645_NOT_BCD/);
  });

  it('rejects values outside the valid range', () => {
    const replies = new Map<string, Dlt645ReadReply>([
      [
        '02800002',
        {
          kind: 'data',
          address: ADDRESS,
          dataId: '02800002',
          value: Buffer.from([0x00, 0x00]),
          followUp: false,
        },
      ],
    ]);
    const { errors } = decodeDlt645Reading(profile, replies);
    expect(errors.find((e) => e.field === 'frequency_hz')?.reason).toMatch(/outside valid range/);
  });
});
