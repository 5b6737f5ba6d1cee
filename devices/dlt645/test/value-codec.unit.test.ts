import { describe, expect, it } from 'vitest';
import { DLT645_DATA_IDS } from '../data-identifiers.js';
import { Dlt645Error } from '../errors.js';
import { decodeDlt645Value, dlt645FormatMax, encodeDlt645Value } from '../value-codec.js';
import { dlt645ValueFormatSchema, type Dlt645ValueFormat } from '../value-format.js';

const bytes = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const format = (id: string): Dlt645ValueFormat => {
  const known = DLT645_DATA_IDS[id];
  if (!known) throw new Error(id);
  return known.format;
};

describe('DL/T 645 values', () => {
  it.each([
    // [data id, value, bytes least significant first, before + 0x33]
    ['00010000', 12345.67, '67 45 23 01'], // XXXXXX.XX kWh: 00 01 23 45 67 → LSB first
    ['00000000', -12.5, '50 12 00 80'], // combined energy is signed: sign bit in the top byte
    ['02010100', 220.1, '01 22'], // XXX.X V
    ['02020100', 5.432, '32 54 00'], // XXX.XXX A: 005432
    ['02020100', -1.234, '34 12 80'], // negative current: 001234 with the top bit set
    ['02030000', 1.2345, '45 23 01'], // XX.XXXX kW: 012345
    ['02030000', -0.5, '00 50 80'],
    ['02800002', 49.98, '98 49'], // XX.XX Hz
    ['02060000', 0.95, '50 09'], // X.XXX: 0950
    ['02060000', -1, '00 90'], // −1.000: 1000 | 0x8000
  ] as const)('%s: %d ⇄ %s', (id, value, wire) => {
    expect(encodeDlt645Value(value, format(id))).toEqual(bytes(wire));
    expect(decodeDlt645Value(bytes(wire), format(id))).toBe(value);
  });

  it('rounds to the format, as the meter does', () => {
    expect(decodeDlt645Value(encodeDlt645Value(230.37, format('02010100')), format('02010100'))).toBe(230.4);
    expect(encodeDlt645Value(-0.00001, format('02030000'))).toEqual(bytes('00 00 00'));
  });

  it('rejects non-BCD digits and a wrong byte count', () => {
    expect(() => decodeDlt645Value(bytes('0A 22'), format('02010100'))).toThrow(
      /DLT645_NOT_BCD.*value byte 0: 0x0A.*in value 0A 22/,
    );
    expect(() => decodeDlt645Value(bytes('FF FF'), format('02010100'))).toThrow(Dlt645Error);
    expect(() => decodeDlt645Value(bytes('01 22 00'), format('02010100'))).toThrow(/DLT645_BAD_LENGTH/);
  });

  it('an unsigned format reads the top bit as a digit, so 0x80.. is digits 8x', () => {
    expect(decodeDlt645Value(bytes('00 80'), format('02010100'))).toBe(800);
  });

  it('refuses values the format cannot carry', () => {
    expect(dlt645FormatMax(format('02010100'))).toBe(999.9);
    expect(dlt645FormatMax(format('02060000'))).toBe(7.999);
    expect(() => encodeDlt645Value(1000, format('02010100'))).toThrow(/DLT645_VALUE_RANGE/);
    expect(() => encodeDlt645Value(-1, format('02010100'))).toThrow(/DLT645_VALUE_RANGE/);
    expect(() => encodeDlt645Value(Number.NaN, format('02010100'))).toThrow(/DLT645_VALUE_RANGE/);
    expect(() => encodeDlt645Value(8, format('02060000'))).toThrow(/DLT645_VALUE_RANGE/);
  });

  it('the format schema refuses more decimals than digits', () => {
    expect(dlt645ValueFormatSchema.safeParse({ bytes: 1, decimals: 3 }).success).toBe(false);
    expect(dlt645ValueFormatSchema.parse({ bytes: 2, decimals: 1 })).toEqual({
      bytes: 2,
      decimals: 1,
      signed: false,
    });
  });
});
