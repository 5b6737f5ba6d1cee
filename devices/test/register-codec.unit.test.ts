import { describe, expect, it } from 'vitest';
import { decodeWords, encodeWords, type WordLayout } from '../register-codec.js';

const layout = (
  type: WordLayout['type'],
  wordOrder: WordLayout['wordOrder'] = 'high-first',
  byteOrder: WordLayout['byteOrder'] = 'big',
): WordLayout => ({
  type,
  wordOrder,
  byteOrder,
});

describe('decodeWords', () => {
  // The TUF-2000M manual's example: registers 0x806B 0x4212 are 0x4212806B = 36.6254… (the manual rounds to 36.625).
  it('decodes the TUF-2000M example low word first', () => {
    expect(decodeWords([0x806b, 0x4212], layout('float32', 'low-first'))).toBeCloseTo(36.62541, 5);
  });

  it('decodes the same float high word first when the meter sends it that way', () => {
    expect(decodeWords([0x4212, 0x806b], layout('float32', 'high-first'))).toBeCloseTo(36.62541, 5);
  });

  it('reads 230.0 V from an Eastron float32 (0x4366 0x0000)', () => {
    expect(decodeWords([0x4366, 0x0000], layout('float32'))).toBe(230);
  });

  it('honours byte-swapped registers', () => {
    expect(decodeWords([0x6643, 0x0000], layout('float32', 'high-first', 'little'))).toBe(230);
  });

  it('treats int16 as signed and uint16 as unsigned', () => {
    expect(decodeWords([0xffff], layout('int16'))).toBe(-1);
    expect(decodeWords([0xffff], layout('uint16'))).toBe(65535);
    expect(decodeWords([0x8000], layout('int16'))).toBe(-32768);
  });

  it('treats int32 as signed and uint32 as unsigned, in either word order', () => {
    expect(decodeWords([0xffff, 0xfffe], layout('int32'))).toBe(-2);
    expect(decodeWords([0xfffe, 0xffff], layout('int32', 'low-first'))).toBe(-2);
    expect(decodeWords([0x0001, 0x0000], layout('uint32'))).toBe(65536);
    expect(decodeWords([0x0000, 0x0001], layout('uint32', 'low-first'))).toBe(65536);
    expect(decodeWords([0xffff, 0xffff], layout('uint32'))).toBe(4294967295);
  });

  it('yields NaN for a NaN float on the wire rather than a number', () => {
    expect(decodeWords([0x7fc0, 0x0000], layout('float32'))).toBeNaN();
  });

  it('refuses the wrong number of registers', () => {
    expect(() => decodeWords([1], layout('float32'))).toThrow(/needs 2 registers/);
  });
});

describe('encodeWords', () => {
  it('produces low-word-first bytes as the TUF-2000M does (36.625 is 0x42128000)', () => {
    expect(encodeWords(36.625, layout('float32', 'low-first'))).toEqual([0x8000, 0x4212]);
    expect(encodeWords(36.625, layout('float32', 'high-first'))).toEqual([0x4212, 0x8000]);
  });

  it('round-trips every type, word order and byte order', () => {
    const samples: Array<[WordLayout['type'], number]> = [
      ['int16', -1234],
      ['uint16', 54321],
      ['int32', -123456789],
      ['uint32', 3456789012],
      ['float32', 49.98],
    ];
    for (const [type, value] of samples) {
      for (const wordOrder of ['high-first', 'low-first'] as const) {
        for (const byteOrder of ['big', 'little'] as const) {
          const l = layout(type, wordOrder, byteOrder);
          const decoded = decodeWords(encodeWords(value, l), l);
          if (type === 'float32') expect(decoded).toBeCloseTo(value, 4);
          else expect(decoded).toBe(value);
        }
      }
    }
  });

  it('clamps integers that do not fit the register', () => {
    expect(decodeWords(encodeWords(70000, layout('uint16')), layout('uint16'))).toBe(65535);
    expect(decodeWords(encodeWords(-5, layout('uint16')), layout('uint16'))).toBe(0);
  });
});
