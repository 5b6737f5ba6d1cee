import { bcdByteValue, hex, isBcdByte } from '../bcd.js';
import { Dlt645Error } from './errors.js';

/** DL/T 645 adds 0x33 to every data-field byte on the wire (so a field of zeros is not a run of 00). */
export const DATA_OFFSET = 0x33;

export function scrambleData(data: Uint8Array): Buffer {
  return offsetEach(data, DATA_OFFSET);
}

export function unscrambleData(wire: Uint8Array): Buffer {
  return offsetEach(wire, -DATA_OFFSET);
}

function offsetEach(bytes: Uint8Array, delta: number): Buffer {
  const result = Buffer.alloc(bytes.length);
  bytes.forEach((byte, i) => (result[i] = (byte + delta) & 0xff));
  return result;
}

export { isBcdByte, toBcdByte, hex, hexBytes } from '../bcd.js';

/** A packed-BCD byte as its two digits (0x42 → 42); `what` names the byte in the error. */
export function fromBcdByte(byte: number, what: string): number {
  if (!isBcdByte(byte)) {
    throw new Dlt645Error('DLT645_NOT_BCD', `${what}: 0x${hex(byte)} is not two BCD digits`);
  }
  return bcdByteValue(byte);
}
