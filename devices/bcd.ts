/** Packed BCD as Chinese meter protocols (DL/T 645, CJ/T 188) carry numbers: two decimal digits a byte. */
export function isBcdByte(byte: number): boolean {
  return byte >> 4 <= 9 && (byte & 0x0f) <= 9;
}

/** Two decimal digits 0..99 as one packed-BCD byte (42 → 0x42). */
export function toBcdByte(twoDigits: number): number {
  return ((Math.floor(twoDigits / 10) % 10) << 4) | (twoDigits % 10);
}

/** A packed-BCD byte's two digits (0x42 → 42); the caller checks {@link isBcdByte} first. */
export function bcdByteValue(byte: number): number {
  return (byte >> 4) * 10 + (byte & 0x0f);
}

export function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

/** Bytes as `68 AA 16`, for messages and logs. */
export function hexBytes(bytes: Uint8Array): string {
  return [...bytes].map(hex).join(' ');
}

/**
 * An unsigned BCD number sent least significant byte first (`78 56 34 12` with
 * 2 decimals is 123456.78), or undefined when a byte is not two BCD digits.
 */
export function decodeBcdNumber(bytes: Uint8Array, decimals: number): number | undefined {
  let digits = 0;
  for (let i = bytes.length - 1; i >= 0; i--) {
    const byte = bytes[i] as number;
    if (!isBcdByte(byte)) return undefined;
    digits = digits * 100 + bcdByteValue(byte);
  }
  return Number((digits / 10 ** decimals).toFixed(decimals));
}

/** The inverse of {@link decodeBcdNumber}; undefined when `value` is negative, not finite or too large. */
export function encodeBcdNumber(value: number, byteCount: number, decimals: number): Buffer | undefined {
  const scaled = Math.round(value * 10 ** decimals);
  if (!Number.isFinite(value) || scaled < 0 || scaled >= 100 ** byteCount) return undefined;
  const bytes = Buffer.alloc(byteCount);
  let rest = scaled;
  for (let i = 0; i < byteCount; i++) {
    bytes[i] = toBcdByte(rest % 100);
    rest = Math.floor(rest / 100);
  }
  return bytes;
}
