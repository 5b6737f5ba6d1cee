import { fromBcdByte, toBcdByte } from './bcd.js';
import { Dlt645Error } from './errors.js';

/**
 * A meter address as printed on its nameplate: 12 decimal digits, most significant
 * first. On the wire it is 6 BCD bytes, least significant first (A0..A5). A byte pair
 * `AA` is a wildcard: `AAAAAAAAAAAA` reaches the one meter on a line whatever its
 * address (used to read the address), and high bytes `AA` match any meter whose
 * lower digits agree (address shortening).
 */
export const DLT645_WILDCARD_ADDRESS = 'AAAAAAAAAAAA';
/** Broadcast address: only for commands no meter answers (time sync, 0x08). */
export const DLT645_BROADCAST_ADDRESS = '999999999999';

export const ADDRESS_BYTES = 6;
const ADDRESS_PATTERN = /^(?:[0-9]{2}|AA){6}$/;

export function isDlt645Address(address: string): boolean {
  return ADDRESS_PATTERN.test(address);
}

/** Pads a shorter nameplate number with leading zeros (`12345678` → `000012345678`) and checks it. */
export function normaliseDlt645Address(address: string): string {
  const padded = /^[0-9]{1,12}$/.test(address) ? address.padStart(12, '0') : address.toUpperCase();
  if (!isDlt645Address(padded)) {
    throw new Dlt645Error(
      'DLT645_BAD_ADDRESS',
      `"${address}" is not 12 digits (AA pairs allowed as wildcards)`,
    );
  }
  return padded;
}

/** The 6 address bytes as sent, A0 (least significant digits) first. */
export function encodeDlt645Address(address: string): Buffer {
  const normalised = normaliseDlt645Address(address);
  const bytes = Buffer.alloc(ADDRESS_BYTES);
  for (let i = 0; i < ADDRESS_BYTES; i++) {
    const pair = normalised.slice(10 - 2 * i, 12 - 2 * i);
    bytes[i] = pair === 'AA' ? 0xaa : toBcdByte(Number(pair));
  }
  return bytes;
}

/** The address A0..A5 as read off the wire, back to nameplate form. */
export function decodeDlt645Address(bytes: Uint8Array): string {
  if (bytes.length !== ADDRESS_BYTES) {
    throw new Dlt645Error('DLT645_BAD_ADDRESS', `an address has 6 bytes, got ${bytes.length}`);
  }
  let address = '';
  bytes.forEach((byte, i) => {
    const pair = byte === 0xaa ? 'AA' : String(fromBcdByte(byte, `address byte A${i}`)).padStart(2, '0');
    address = pair + address;
  });
  return address;
}

/** Whether a meter whose address is `meter` answers a request sent to `requested`. */
export function dlt645AddressMatches(meter: string, requested: string): boolean {
  for (let i = 0; i < 12; i += 2) {
    const pair = requested.slice(i, i + 2);
    if (pair !== 'AA' && pair !== meter.slice(i, i + 2)) return false;
  }
  return true;
}

export function isDlt645Wildcard(address: string): boolean {
  return address.includes('AA');
}
