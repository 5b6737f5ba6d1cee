import { describe, expect, it } from 'vitest';
import { Cjt188Error } from '../errors.js';
import { decodeCjt188Frame, Cjt188FrameReader, type Cjt188ReaderOutput } from '../frame-decode.js';
import { decodeCjt188MeteringData, encodeCjt188MeteringData, encodeCjt188Status } from '../metering-data.js';
import {
  encodeCjt188ErrorReply,
  encodeCjt188ReadAddressReply,
  encodeCjt188ReadAddressRequest,
  encodeCjt188ReadReply,
  encodeCjt188ReadRequest,
  encodeCjt188WriteAddressRequest,
  parseCjt188NewAddress,
  parseCjt188Reply,
  parseCjt188Request,
} from '../messages.js';
import { CJT188_FUNCTION } from '../control-code.js';
import { encodeCjt188DataId } from '../data-identifiers.js';
import { normaliseCjt188Address } from '../address.js';

const bytes = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof Cjt188Error) return error.code;
    throw error;
  }
  return undefined;
}

const METER = '00000012345678';

/*
 * Reading the metering data (DI 901F) of the cold-water meter 00000012345678, CJ/T 188-2004.
 *
 *   FE FE                   wake-up bytes, not part of the checksum
 *   68                      start
 *   10                      T: cold water meter
 *   78 56 34 12 00 00 00    A0..A6: 00000012345678 as BCD pairs, least significant first
 *   01                      C: read data (master → meter)
 *   03                      L: DI (2) + SER (1)
 *   90 1F                   DI 901F, as the 2004 edition sends it
 *   00                      SER
 *   3F                      CS = 68+10+78+56+34+12+00+00+00+01+03+90+1F+00
 *                              = 104+16+120+86+52+18+1+3+144+31 = 575; 575 − 512 = 63 = 0x3F
 *   16                      end
 */
const READ_REQUEST = bytes('FE FE 68 10 78 56 34 12 00 00 00 01 03 90 1F 00 3F 16');

/*
 * The meter answers: 1234.56 m³ now, 1200.00 m³ on settlement day, its clock at
 * 2025-06-10 14:30:00, valve closed and battery low.
 *
 *   68 10 78 56 34 12 00 00 00   its type and address
 *   81                      C: normal reply to a read (0x80 | 0x01)
 *   16                      L: 22 = DI, SER (3) + 5 + 5 + 7 + 2
 *   90 1F 00                DI and SER echoed
 *   56 34 12 00 2C          current cumulative flow 00123456 → 1234.56, unit 2C = m³
 *   00 00 12 00 2C          settlement-day cumulative flow 00120000 → 1200.00 m³
 *   00 30 14 10 06 25 20    clock 20250610143000, least significant byte (seconds) first
 *   05 00                   ST: D1 D0 = 01 valve closed, D2 = 1 battery low
 *   7C                      CS: header 104+16+120+86+52+18 = 396, + 81 (129) + 16 (22) = 547;
 *                              data 175 + 200 + 62 + 159 + 5 = 601; 1148 − 4×256 = 124 = 0x7C
 *   16
 */
const READ_REPLY = bytes(
  '68 10 78 56 34 12 00 00 00 81 16 90 1F 00 56 34 12 00 2C 00 00 12 00 2C 00 30 14 10 06 25 20 05 00 7C 16',
);

/*
 * Who is on the line: T = AA and address AA×7 reach any meter; C 03, DI 810A, SER 00.
 *   CS = 68 + 8 × AA + 03 + 03 + 81 + 0A + 00 = 104 + 1360 + 6 + 129 + 10 = 1609; 1609 − 6×256 = 73 = 0x49
 */
const READ_ADDRESS_REQUEST = bytes('FE FE 68 AA AA AA AA AA AA AA AA 03 03 81 0A 00 49 16');

/*
 * The meter names itself: C 83, DI and SER echoed.
 *   CS = 396 + 83 (131) + 03 + 81 (129) + 0A (10) + 00 = 669; 669 − 512 = 157 = 0x9D
 */
const READ_ADDRESS_REPLY = bytes('68 10 78 56 34 12 00 00 00 83 03 81 0A 00 9D 16');

/*
 * Give meter 00000012345678 the address 00000000000009: C 15, L 0A, DI A018, SER, new A0..A6.
 *   CS = 396 + 15 (21) + 0A (10) + A0 (160) + 18 (24) + 00 + 09 = 620; 620 − 512 = 108 = 0x6C
 */
const WRITE_ADDRESS_REQUEST = bytes(
  'FE FE 68 10 78 56 34 12 00 00 00 15 0A A0 18 00 09 00 00 00 00 00 00 6C 16',
);

const METERING = {
  currentTotalM3: 1234.56,
  settlementTotalM3: 1200,
  clock: { year: 2025, month: 6, day: 10, hour: 14, minute: 30, second: 0 },
  status: { word: encodeCjt188Status({ valve: 1, batteryLow: true }), valve: 1 as const, batteryLow: true },
};

describe('CJ/T 188 frames by hand', () => {
  it('encodes a read request byte for byte', () => {
    expect(encodeCjt188ReadRequest(0x10, METER, '901F')).toEqual(READ_REQUEST);
  });

  it('a 12-digit or shorter number is the same meter, zero-padded', () => {
    expect(normaliseCjt188Address('12345678')).toBe(METER);
    expect(encodeCjt188ReadRequest(0x10, '12345678', '901F')).toEqual(READ_REQUEST);
  });

  it('the 2018 edition sends DI0 first', () => {
    expect(encodeCjt188DataId('901F', '2004')).toEqual(bytes('90 1F'));
    expect(encodeCjt188DataId('901F', '2018')).toEqual(bytes('1F 90'));
  });

  it('encodes the meter reply byte for byte', () => {
    const payload = encodeCjt188MeteringData(METERING);
    expect(encodeCjt188ReadReply(0x10, METER, '901F', payload, { preambleBytes: 0 })).toEqual(READ_REPLY);
  });

  it('decodes the reply: totals, clock, valve and battery', () => {
    const frame = decodeCjt188Frame(Buffer.concat([bytes('FE FE FE'), READ_REPLY]));
    expect(frame).toMatchObject({ meterType: 0x10, address: METER, control: 0x81 });
    const reply = parseCjt188Reply(frame, { func: CJT188_FUNCTION.readData, address: METER, dataId: '901F' });
    expect(reply.kind).toBe('data');
    if (reply.kind !== 'data') return;
    const data = decodeCjt188MeteringData(reply.payload);
    expect(data).toEqual({
      currentTotalM3: 1234.56,
      settlementTotalM3: 1200,
      clock: { year: 2025, month: 6, day: 10, hour: 14, minute: 30, second: 0 },
      status: { word: 0x0005, valve: 1, batteryLow: true },
    });
  });

  it('a total in litres (unit 29) is converted to m³; an unknown unit code is refused', () => {
    const litres = Buffer.from(encodeCjt188MeteringData(METERING));
    litres[4] = 0x29;
    expect(decodeCjt188MeteringData(litres).currentTotalM3).toBeCloseTo(1.23456, 6);
    litres[4] = 0x2b;
    expect(codeOf(() => decodeCjt188MeteringData(litres))).toBe('CJT188_UNKNOWN_UNIT');
  });

  it('a total that is not BCD is refused', () => {
    const garbled = Buffer.from(encodeCjt188MeteringData(METERING));
    garbled[0] = 0xff;
    expect(codeOf(() => decodeCjt188MeteringData(garbled))).toBe('CJT188_NOT_BCD');
  });

  it('encodes and answers read-address', () => {
    expect(encodeCjt188ReadAddressRequest()).toEqual(READ_ADDRESS_REQUEST);
    expect(encodeCjt188ReadAddressReply(0x10, METER, { preambleBytes: 0 })).toEqual(READ_ADDRESS_REPLY);
    const reply = parseCjt188Reply(decodeCjt188Frame(READ_ADDRESS_REPLY), {
      func: CJT188_FUNCTION.readAddress,
    });
    expect(reply).toMatchObject({ kind: 'data', meterType: 0x10, address: METER, dataId: '810A' });
  });

  it('encodes a write-address request, and the meter reads the new address out of it', () => {
    expect(encodeCjt188WriteAddressRequest(0x10, METER, '9')).toEqual(WRITE_ADDRESS_REQUEST);
    const request = parseCjt188Request(decodeCjt188Frame(WRITE_ADDRESS_REQUEST));
    expect(request).toMatchObject({ func: CJT188_FUNCTION.writeAddress, dataId: 'A018', ser: 0 });
    expect(parseCjt188NewAddress(request)).toBe('00000000000009');
  });

  it('a meter reads the request: function, identifier, SER', () => {
    expect(parseCjt188Request(decodeCjt188Frame(READ_REQUEST))).toMatchObject({
      func: CJT188_FUNCTION.readData,
      dataId: '901F',
      ser: 0,
    });
  });

  it('an abnormal reply (C1) carries SER and ST', () => {
    const frame = decodeCjt188Frame(encodeCjt188ErrorReply(0x10, METER, CJT188_FUNCTION.readData, 0x0003));
    expect(frame.control).toBe(0xc1);
    expect(parseCjt188Reply(frame, { func: CJT188_FUNCTION.readData, address: METER })).toMatchObject({
      kind: 'error',
      status: { valve: 3, batteryLow: false },
    });
  });
});

describe('CJ/T 188 frames that must be refused', () => {
  it('a wrong checksum', () => {
    const broken = Buffer.from(READ_REPLY);
    broken[broken.length - 2] = 0x7d;
    expect(() => decodeCjt188Frame(broken)).toThrow(/CJT188_BAD_CHECKSUM.*CS 0x7D, bytes sum to 0x7C/);
  });

  it('a bad end byte', () => {
    const broken = Buffer.from(READ_REPLY);
    broken[broken.length - 1] = 0x17;
    expect(codeOf(() => decodeCjt188Frame(broken))).toBe('CJT188_BAD_END');
  });

  /*
   * The read-address reply with A2 = 3A instead of 34: not two BCD digits. The
   * checksum is right for those bytes (157 + 6 = 163 = 0xA3), so only the address is wrong.
   */
  it('an address byte that is not BCD', () => {
    const broken = bytes('68 10 78 56 3A 12 00 00 00 83 03 81 0A 00 A3 16');
    expect(() => decodeCjt188Frame(broken)).toThrow(/CJT188_BAD_ADDRESS.*A2 is 0x3A/);
  });

  it('a reply from another meter than the one asked', () => {
    const frame = decodeCjt188Frame(READ_REPLY);
    expect(
      codeOf(() => parseCjt188Reply(frame, { func: CJT188_FUNCTION.readData, address: '00000012345679' })),
    ).toBe('CJT188_UNEXPECTED_REPLY');
  });

  it('a reply about another identifier, or to another function', () => {
    const frame = decodeCjt188Frame(READ_REPLY);
    expect(codeOf(() => parseCjt188Reply(frame, { func: CJT188_FUNCTION.readData, dataId: '907F' }))).toBe(
      'CJT188_UNEXPECTED_REPLY',
    );
    expect(codeOf(() => parseCjt188Reply(frame, { func: CJT188_FUNCTION.readAddress }))).toBe(
      'CJT188_UNEXPECTED_REPLY',
    );
  });

  it('a frame cut short, and bytes without any 68', () => {
    expect(codeOf(() => decodeCjt188Frame(READ_REPLY.subarray(0, 20)))).toBe('CJT188_BAD_LENGTH');
    expect(codeOf(() => decodeCjt188Frame(bytes('FE FE 00 11 22')))).toBe('CJT188_NO_FRAME');
  });

  it('an address that is not 14 digits', () => {
    expect(codeOf(() => normaliseCjt188Address('1234567890123X'))).toBe('CJT188_BAD_ADDRESS');
    expect(codeOf(() => normaliseCjt188Address('123456789012345'))).toBe('CJT188_BAD_ADDRESS');
  });
});

describe('Cjt188FrameReader', () => {
  const kinds = (outputs: Cjt188ReaderOutput[]) =>
    outputs.map((o) => ('frame' in o ? 'frame' : o.error.code));

  // The stray 68 in the noise starts a candidate frame that ends badly; the reader says so and resyncs.
  it('finds a reply delivered byte by byte after noise and a preamble', () => {
    const reader = new Cjt188FrameReader();
    const outputs: Cjt188ReaderOutput[] = [];
    for (const byte of Buffer.concat([bytes('00 68 12 FE FE FE'), READ_REPLY]))
      outputs.push(...reader.push(Buffer.from([byte])));
    expect(kinds(outputs)).toEqual(['CJT188_BAD_END', 'frame']);
    expect(kinds(new Cjt188FrameReader().push(Buffer.concat([bytes('00 12 FE FE'), READ_REPLY])))).toEqual([
      'frame',
    ]);
  });

  it('reports a broken frame and still finds the good one after it', () => {
    const broken = Buffer.from(READ_ADDRESS_REPLY);
    broken[broken.length - 2] = 0x00;
    const outputs = new Cjt188FrameReader().push(Buffer.concat([broken, READ_ADDRESS_REPLY]));
    expect(kinds(outputs)).toEqual(['CJT188_BAD_CHECKSUM', 'frame']);
  });
});
