import { bcdByteValue, hex, isBcdByte, toBcdByte } from '../bcd.js';
import { Cjt188Error } from './errors.js';

/**
 * A CJ/T 188 meter address as printed on the meter: 14 decimal digits, most
 * significant first (the top two bytes A6 A5 are often the maker's code). On the wire
 * it is 7 BCD bytes, least significant first (A0..A6). `AA` bytes are wildcards:
 * `AAAAAAAAAAAAAA` reaches the one meter on a line whatever its address (read-address).
 */
export const CJT188_WILDCARD_ADDRESS = 'AAAAAAAAAAAAAA';
export const CJT188_ADDRESS_BYTES = 7;
const ADDRESS_PATTERN = /^(?:[0-9]{2}|AA){7}$/;

export function isCjt188Address(address: string): boolean {
  return ADDRESS_PATTERN.test(address);
}

/** Pads a shorter number with leading zeros (`20250001` → `00000020250001`) and checks it. */
export function normaliseCjt188Address(address: string): string {
  const padded = /^[0-9]{1,14}$/.test(address) ? address.padStart(14, '0') : address.toUpperCase();
  if (!isCjt188Address(padded)) {
    throw new Cjt188Error(
      'CJT188_BAD_ADDRESS',
      `"${address}" is not 14 digits (AA pairs allowed as wildcards)`,
    );
  }
  return padded;
}

/** The 7 address bytes as sent, A0 (least significant digits) first. */
export function encodeCjt188Address(address: string): Buffer {
  const normalised = normaliseCjt188Address(address);
  const bytes = Buffer.alloc(CJT188_ADDRESS_BYTES);
  for (let i = 0; i < CJT188_ADDRESS_BYTES; i++) {
    const pair = normalised.slice(12 - 2 * i, 14 - 2 * i);
    bytes[i] = pair === 'AA' ? 0xaa : toBcdByte(Number(pair));
  }
  return bytes;
}

/** A0..A6 as read off the wire, back to printed form; a byte that is neither BCD nor AA is refused. */
export function decodeCjt188Address(bytes: Uint8Array): string {
  if (bytes.length !== CJT188_ADDRESS_BYTES) {
    throw new Cjt188Error('CJT188_BAD_ADDRESS', `an address has 7 bytes, got ${bytes.length}`);
  }
  let address = '';
  bytes.forEach((byte, i) => {
    if (byte !== 0xaa && !isBcdByte(byte)) {
      throw new Cjt188Error('CJT188_BAD_ADDRESS', `address byte A${i} is 0x${hex(byte)}, not two BCD digits`);
    }
    const pair = byte === 0xaa ? 'AA' : String(bcdByteValue(byte)).padStart(2, '0');
    address = pair + address;
  });
  return address;
}

/** Whether a meter whose address is `meter` answers a request sent to `requested` (AA pairs match anything). */
export function cjt188AddressMatches(meter: string, requested: string): boolean {
  for (let i = 0; i < 14; i += 2) {
    const pair = requested.slice(i, i + 2);
    if (pair !== 'AA' && pair !== meter.slice(i, i + 2)) return false;
  }
  return true;
}
