import { fromBcdByte, hexBytes, toBcdByte } from './bcd.js';
import { Dlt645Error } from './errors.js';
import type { Dlt645ValueFormat } from './value-format.js';

const SIGN_BIT = 0x80;

/**
 * A value's bytes (0x33 already removed, least significant first) as a number:
 * `34 12 80` in XXX.XXX signed is −1.234 (digits 001234, sign bit set).
 */
export function decodeDlt645Value(bytes: Uint8Array, format: Dlt645ValueFormat): number {
  if (bytes.length !== format.bytes) {
    throw new Dlt645Error('DLT645_BAD_LENGTH', `value needs ${format.bytes} bytes, got ${bytes.length}`);
  }
  let digits = 0;
  let negative = false;
  for (let i = bytes.length - 1; i >= 0; i--) {
    let byte = bytes[i] as number;
    if (i === bytes.length - 1 && format.signed) {
      negative = (byte & SIGN_BIT) !== 0;
      byte &= ~SIGN_BIT;
    }
    try {
      digits = digits * 100 + fromBcdByte(byte, `value byte ${i}`);
    } catch (error) {
      throw error instanceof Dlt645Error
        ? new Dlt645Error(error.code, `${error.detail} in value ${hexBytes(bytes)}`)
        : error;
    }
  }
  const magnitude = Number((digits / 10 ** format.decimals).toFixed(format.decimals));
  return negative && magnitude !== 0 ? -magnitude : magnitude;
}

/** The largest magnitude a format can carry, in its unit. */
export function dlt645FormatMax(format: Dlt645ValueFormat): number {
  // With a sign bit the top digit can only be 0..7.
  const digits = format.signed ? 8 * 10 ** (format.bytes * 2 - 1) - 1 : 10 ** (format.bytes * 2) - 1;
  return digits / 10 ** format.decimals;
}

/** The inverse of {@link decodeDlt645Value}: `value` rounded to the format's decimals, as a meter sends it. */
export function encodeDlt645Value(value: number, format: Dlt645ValueFormat): Buffer {
  const scaled = Math.round(Math.abs(value) * 10 ** format.decimals);
  const negative = value < 0 && scaled !== 0;
  if (
    !Number.isFinite(value) ||
    (negative && !format.signed) ||
    scaled / 10 ** format.decimals > dlt645FormatMax(format)
  ) {
    throw new Dlt645Error(
      'DLT645_VALUE_RANGE',
      `${value} does not fit ${format.bytes} BCD bytes with ${format.decimals} decimals${format.signed ? ', signed' : ''}`,
    );
  }
  const bytes = Buffer.alloc(format.bytes);
  let rest = scaled;
  for (let i = 0; i < format.bytes; i++) {
    bytes[i] = toBcdByte(rest % 100);
    rest = Math.floor(rest / 100);
  }
  if (negative) bytes[format.bytes - 1] = (bytes[format.bytes - 1] as number) | SIGN_BIT;
  return bytes;
}
