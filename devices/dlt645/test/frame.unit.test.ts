import { describe, expect, it } from 'vitest';
import { decodeFrame, scanFrame } from '../frame-decode.js';
import { dlt645Checksum, encodeFrame } from '../frame.js';
import { Dlt645Error } from '../errors.js';
import {
  encodeErrorReply,
  encodeReadAddressReply,
  encodeReadAddressRequest,
  encodeReadReply,
  encodeReadRequest,
  parseReadAddressReply,
  parseReadReply,
  parseReadRequest,
} from '../messages.js';
import { encodeDlt645Value } from '../value-codec.js';

const bytes = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof Dlt645Error) return error.code;
    throw error;
  }
  return undefined;
}

/*
 * Reading phase-A voltage (DI 02 01 01 00) from the meter whose nameplate says 000012345678.
 *
 *   FE FE FE FE          wake-up preamble, not part of the checksum
 *   68                   start
 *   78 56 34 12 00 00    address A0..A5: 000012345678 as BCD pairs, least significant first
 *   68                   start again
 *   11                   C: read data (master → meter)
 *   04                   L: 4 data bytes
 *   33 34 34 35          DI0..DI3 = 00 01 01 02, each + 0x33
 *   C9                   CS = 68+78+56+34+12+00+00+68+11+04+33+34+34+35
 *                           = 104+120+86+52+18+0+0+104+17+4+51+52+52+53 = 713; 713 mod 256 = 201 = 0xC9
 *   16                   end
 */
const VOLTAGE_REQUEST = bytes('FE FE FE FE 68 78 56 34 12 00 00 68 11 04 33 34 34 35 C9 16');

/*
 * The meter answers 220.1 V (format XXX.X, 2 bytes).
 *
 *   68 78 56 34 12 00 00 68   its own address
 *   91                   C: normal reply to a read (0x80 reply | 0x11)
 *   06                   L: 4 DI bytes + 2 value bytes
 *   33 34 34 35          the DI echoed (00 01 01 02 + 0x33)
 *   34 55                2201 in BCD, least significant first: 01 22; + 0x33 → 34 55
 *   D4                   CS = 484 (header as above, without C/L) + 0x91 (145) + 0x06 (6)
 *                           + 33+34+34+35 (208) + 34 (52) + 55 (85) = 980; 980 − 3×256 = 212 = 0xD4
 *   16
 */
const VOLTAGE_REPLY = bytes('FE FE FE FE 68 78 56 34 12 00 00 68 91 06 33 34 34 35 34 55 D4 16');

describe('DL/T 645 frames by hand', () => {
  it('encodes a read request byte for byte', () => {
    expect(encodeReadRequest('000012345678', '02010100')).toEqual(VOLTAGE_REQUEST);
    // The nameplate may omit the leading zeros.
    expect(encodeReadRequest('12345678', '02010100', { preambleBytes: 0 })).toEqual(
      VOLTAGE_REQUEST.subarray(4),
    );
  });

  it('encodes the reply byte for byte', () => {
    const value = encodeDlt645Value(220.1, { bytes: 2, decimals: 1, signed: false });
    expect(value).toEqual(bytes('01 22'));
    expect(encodeReadReply('000012345678', '02010100', value)).toEqual(VOLTAGE_REPLY);
  });

  it('decodes the request and the reply', () => {
    const request = decodeFrame(VOLTAGE_REQUEST);
    expect(request).toEqual({ address: '000012345678', control: 0x11, data: bytes('00 01 01 02') });
    expect(parseReadRequest(request)).toEqual({ address: '000012345678', dataId: '02010100' });
    const reply = parseReadReply(decodeFrame(VOLTAGE_REPLY), { address: '000012345678', dataId: '02010100' });
    expect(reply).toEqual({
      kind: 'data',
      address: '000012345678',
      dataId: '02010100',
      value: bytes('01 22'),
      followUp: false,
    });
  });

  it('the checksum is the byte sum from the first 68', () => {
    expect(dlt645Checksum(VOLTAGE_REQUEST.subarray(4, -2))).toBe(0xc9);
    expect(dlt645Checksum(bytes('FF 02'))).toBe(0x01);
  });

  it('reads the address with the wildcard: the well-known 68 AA…AA 68 13 00 DF 16', () => {
    // 68+68 (208) + AA×6 (1020) + 13 (19) + 00 = 1247; 1247 − 4×256 = 223 = 0xDF.
    expect(encodeReadAddressRequest({ preambleBytes: 0 })).toEqual(
      bytes('68 AA AA AA AA AA AA 68 13 00 DF 16'),
    );
    const reply = encodeReadAddressReply('000012345678', { preambleBytes: 0 });
    // The address travels twice: in the address field as is, in the data field + 0x33.
    expect(reply.subarray(0, 10)).toEqual(bytes('68 78 56 34 12 00 00 68 93 06'));
    expect(reply.subarray(10, 16)).toEqual(bytes('AB 89 67 45 33 33'));
    expect(parseReadAddressReply(decodeFrame(reply))).toBe('000012345678');
  });

  it('reads total energy with the wildcard address: the common AD 16 frame', () => {
    // 208 + 1020 + 11 (17) + 04 + 33×4 (204) = 1453; 1453 − 5×256 = 173 = 0xAD.
    expect(encodeReadRequest('AAAAAAAAAAAA', '00000000')).toEqual(
      bytes('FE FE FE FE 68 AA AA AA AA AA AA 68 11 04 33 33 33 33 AD 16'),
    );
  });

  it('encodes and parses an error reply', () => {
    // ERR 0x02 (no such data) + 0x33 = 0x35; CS = 484 + D1 (209) + 01 + 35 (53) = 747 → 0xEB.
    const frame = encodeErrorReply('000012345678', 0x02, { preambleBytes: 0 });
    expect(frame).toEqual(bytes('68 78 56 34 12 00 00 68 D1 01 35 EB 16'));
    const reply = parseReadReply(decodeFrame(frame));
    expect(reply.kind).toBe('error');
    if (reply.kind === 'error') {
      expect(reply.errorByte).toBe(0x02);
      expect(reply.reasons.join()).toContain('no such data');
    }
  });

  it('marks follow-up frames with C = 0xB1', () => {
    const frame = encodeReadReply('000012345678', '00000000', bytes('00 00 00 00'), { followUp: true });
    const reply = parseReadReply(decodeFrame(frame));
    expect(decodeFrame(frame).control).toBe(0xb1);
    expect(reply.kind === 'data' && reply.followUp).toBe(true);
  });
});

describe('DL/T 645 decoder robustness', () => {
  it('skips noise before the frame, including stray 68 bytes', () => {
    const noisy = Buffer.concat([bytes('00 68 12 FF 68 01 02'), VOLTAGE_REPLY]);
    expect(decodeFrame(noisy).control).toBe(0x91);
  });

  it('rejects a bad checksum', () => {
    const broken = Buffer.from(VOLTAGE_REPLY);
    broken[broken.length - 2] = 0xd5;
    expect(() => decodeFrame(broken)).toThrow(/CS 0xD5, bytes sum to 0xD4/);
    expect(codeOf(() => decodeFrame(broken))).toBe('DLT645_BAD_CHECKSUM');
    // A flipped data byte is caught the same way.
    const flipped = Buffer.from(VOLTAGE_REPLY);
    flipped[18] = 0x56;
    expect(codeOf(() => decodeFrame(flipped))).toBe('DLT645_BAD_CHECKSUM');
  });

  it('rejects a bad end byte', () => {
    const broken = Buffer.from(VOLTAGE_REPLY);
    broken[broken.length - 1] = 0x17;
    expect(codeOf(() => decodeFrame(broken))).toBe('DLT645_BAD_END');
  });

  it('rejects a length field that disagrees with the frame, both ways', () => {
    const shorter = Buffer.from(VOLTAGE_REPLY);
    shorter[13] = 0x05;
    expect(() => decodeFrame(shorter)).toThrow(/L says 5 data bytes, the frame holds 6/);
    expect(codeOf(() => decodeFrame(shorter))).toBe('DLT645_BAD_LENGTH');
    const longer = Buffer.from(VOLTAGE_REPLY);
    longer[13] = 0x08;
    expect(() => decodeFrame(longer)).toThrow(/L says 8 data bytes \(20 bytes in all\), only 18 arrived/);
    expect(codeOf(() => decodeFrame(VOLTAGE_REPLY.subarray(0, 12)))).toBe('DLT645_BAD_LENGTH');
  });

  it('rejects an address that is not BCD', () => {
    const frame = encodeFrame(
      { address: '000012345678', control: 0x91, data: Buffer.alloc(0) },
      { preambleBytes: 0 },
    );
    frame[1] = 0x7b;
    frame[frame.length - 2] = dlt645Checksum(frame.subarray(0, -2));
    expect(() => decodeFrame(frame)).toThrow(/address byte A0: 0x7B is not two BCD digits/);
    expect(codeOf(() => decodeFrame(frame))).toBe('DLT645_NOT_BCD');
  });

  it('says when there is no frame at all', () => {
    expect(codeOf(() => decodeFrame(bytes('FE FE FE FE 00 11 22')))).toBe('DLT645_NO_FRAME');
    expect(codeOf(() => decodeFrame(Buffer.alloc(0)))).toBe('DLT645_NO_FRAME');
  });

  it('a broken frame does not hide a good one after it', () => {
    const broken = Buffer.from(VOLTAGE_REQUEST);
    broken[broken.length - 2] = 0x00;
    expect(decodeFrame(Buffer.concat([broken, VOLTAGE_REPLY])).control).toBe(0x91);
  });

  it('a stray header whose length never arrives does not hide a whole frame inside it', () => {
    const stray = bytes('68 00 00 00 00 00 00 68 11 C8');
    const scan = scanFrame(Buffer.concat([stray, VOLTAGE_REPLY]));
    expect(scan.kind).toBe('frame');
  });

  it('refuses replies that do not answer the request', () => {
    const reply = decodeFrame(VOLTAGE_REPLY);
    expect(codeOf(() => parseReadReply(reply, { dataId: '00000000' }))).toBe('DLT645_UNEXPECTED_REPLY');
    expect(codeOf(() => parseReadReply(reply, { address: '000087654321' }))).toBe('DLT645_UNEXPECTED_REPLY');
    expect(codeOf(() => parseReadReply(decodeFrame(VOLTAGE_REQUEST)))).toBe('DLT645_UNEXPECTED_REPLY');
    // A reply to the wildcard address comes from whichever meter answered.
    expect(parseReadReply(reply, { address: 'AAAAAAAAAAAA' }).kind).toBe('data');
  });

  it('refuses malformed addresses and data identifiers when encoding', () => {
    expect(codeOf(() => encodeReadRequest('12345678901X', '02010100'))).toBe('DLT645_BAD_ADDRESS');
    expect(codeOf(() => encodeReadRequest('1234567890123', '02010100'))).toBe('DLT645_BAD_ADDRESS');
    expect(codeOf(() => encodeReadRequest('000012345678', '0201010'))).toBe('DLT645_BAD_DATA_ID');
  });
});
