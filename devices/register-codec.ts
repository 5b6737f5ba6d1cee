import type { RegisterType } from './profile-schema.js';
import { REGISTER_WIDTH } from './profile-schema.js';

export type WordOrder = 'high-first' | 'low-first';
export type ByteOrder = 'big' | 'little';

export interface WordLayout {
  type: RegisterType;
  wordOrder: WordOrder;
  byteOrder: ByteOrder;
}

function swapBytes(word: number): number {
  return ((word & 0xff) << 8) | ((word >> 8) & 0xff);
}

/**
 * Turns the 16-bit words a meter sent into a number. The words arrive as Modbus
 * carries them (big-endian per register); `byteOrder: little` means the meter
 * swapped the bytes inside each register, `wordOrder: low-first` that the low half
 * of a 32-bit value comes in the first register.
 */
export function decodeWords(words: readonly number[], layout: WordLayout): number {
  const width = REGISTER_WIDTH[layout.type];
  if (words.length !== width)
    throw new RangeError(`${layout.type} needs ${width} registers, got ${words.length}`);
  const word = (i: number) => {
    const raw = words[i] as number;
    return (layout.byteOrder === 'little' ? swapBytes(raw) : raw) & 0xffff;
  };
  if (width === 1) {
    SCRATCH.setUint16(0, word(0));
    return layout.type === 'int16' ? SCRATCH.getInt16(0) : SCRATCH.getUint16(0);
  }
  const highFirst = layout.wordOrder === 'high-first';
  SCRATCH.setUint16(0, word(highFirst ? 0 : 1));
  SCRATCH.setUint16(2, word(highFirst ? 1 : 0));
  switch (layout.type) {
    case 'int32':
      return SCRATCH.getInt32(0);
    case 'uint32':
      return SCRATCH.getUint32(0);
    default:
      return SCRATCH.getFloat32(0);
  }
}

/**
 * Four bytes to reinterpret a register pair in, shared by every decode (each runs to the
 * end synchronously): a poll decodes every field of a meter, and a buffer each was most
 * of what polling allocated.
 */
const SCRATCH = new DataView(new ArrayBuffer(4));

/** The inverse of {@link decodeWords}: the words a real meter would put on the wire for `value`. */
export function encodeWords(value: number, layout: WordLayout): number[] {
  const buffer = Buffer.alloc(4);
  switch (layout.type) {
    case 'int16':
      buffer.writeInt16BE(clampInt(value, -0x8000, 0x7fff), 0);
      break;
    case 'uint16':
      buffer.writeUInt16BE(clampInt(value, 0, 0xffff), 0);
      break;
    case 'int32':
      buffer.writeInt32BE(clampInt(value, -0x80000000, 0x7fffffff), 0);
      break;
    case 'uint32':
      buffer.writeUInt32BE(clampInt(value, 0, 0xffffffff), 0);
      break;
    case 'float32':
      buffer.writeFloatBE(value, 0);
      break;
  }
  const width = REGISTER_WIDTH[layout.type];
  const high = buffer.readUInt16BE(0);
  const low = buffer.readUInt16BE(2);
  const words = width === 1 ? [high] : layout.wordOrder === 'high-first' ? [high, low] : [low, high];
  return layout.byteOrder === 'little' ? words.map(swapBytes) : words;
}

function clampInt(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)));
}
