import { z } from 'zod';
import { Cjt188Error } from './errors.js';

/**
 * A data identifier as the standard writes it, DI1 DI0 (`901F`: metering data).
 * CJ/T 188-2004 sends it in that order (`90 1F`); the 2018 edition sends DI0 first
 * (`1F 90`). The profile's `edition` decides.
 */
export const cjt188DataIdSchema = z
  .string()
  .regex(/^[0-9A-F]{4}$/, 'must be 4 uppercase hex digits as the standard writes them (e.g. "901F")');

export const cjt188EditionSchema = z.enum(['2004', '2018']);
export type Cjt188Edition = z.infer<typeof cjt188EditionSchema>;

export function encodeCjt188DataId(dataId: string, edition: Cjt188Edition): Buffer {
  if (!/^[0-9A-Fa-f]{4}$/.test(dataId)) throw new Cjt188Error('CJT188_BAD_DATA_ID', `"${dataId}"`);
  const bytes = Buffer.from(dataId, 'hex');
  return edition === '2004' ? bytes : bytes.reverse();
}

/** The identifier in the first two data bytes. */
export function decodeCjt188DataId(bytes: Uint8Array, edition: Cjt188Edition): string {
  if (bytes.length < 2) {
    throw new Cjt188Error('CJT188_BAD_LENGTH', `a data identifier needs 2 bytes, got ${bytes.length}`);
  }
  const pair = Buffer.from(bytes.subarray(0, 2));
  return (edition === '2004' ? pair : pair.reverse()).toString('hex').toUpperCase();
}

/** The identifiers this codec knows (CJ/T 188-2004 tables 4 and 5, as quoted by vendors). */
export const CJT188_DATA_IDS = {
  /** 计量数据: current and settlement-day totals, the meter's clock, status ST. */
  meteringData: '901F',
  /** 读地址: asked of the wildcard address, answered from the meter's own. */
  readAddress: '810A',
  /** 写地址: sets a new address (7 bytes follow SER). */
  writeAddress: 'A018',
} as const;
