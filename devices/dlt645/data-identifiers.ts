import { z } from 'zod';
import { hex } from './bcd.js';
import { Dlt645Error } from './errors.js';
import type { Dlt645ValueFormat } from './value-format.js';

/**
 * A data identifier DI3 DI2 DI1 DI0 as the standard writes it (`02010100` is phase-A
 * voltage). On the wire DI0 goes first, each byte + 0x33 like all data.
 */
export const dlt645DataIdSchema = z
  .string()
  .regex(/^[0-9A-F]{8}$/, 'must be 8 uppercase hex digits, DI3 first (e.g. "02010100")');

export function encodeDlt645DataId(dataId: string): Buffer {
  if (!/^[0-9A-Fa-f]{8}$/.test(dataId)) {
    throw new Dlt645Error('DLT645_BAD_DATA_ID', `"${dataId}"`);
  }
  return Buffer.from(dataId, 'hex').reverse();
}

/** The identifier in the first 4 data bytes (already without 0x33), DI0 first. */
export function decodeDlt645DataId(bytes: Uint8Array): string {
  if (bytes.length < 4) {
    throw new Dlt645Error('DLT645_BAD_LENGTH', `a data identifier needs 4 bytes, got ${bytes.length}`);
  }
  return [...bytes.subarray(0, 4)].reverse().map(hex).join('');
}

export interface Dlt645KnownDataId {
  zh: string;
  en: string;
  unit: string;
  format: Dlt645ValueFormat;
}

/**
 * The identifiers a village meter is read for, with their formats from DL/T 645-2007
 * appendix A as quoted by vendors (the standard's own text was not read).
 */
export const DLT645_DATA_IDS: Readonly<Record<string, Dlt645KnownDataId>> = Object.freeze({
  // ⚠ Combined energy (forward ± reverse per the meter's combination word) is signed
  // in the 2007 edition: "组合有功电能最高位是符号位".
  '00000000': {
    zh: '（当前）组合有功总电能',
    en: 'combined active energy, total',
    unit: 'kWh',
    format: { bytes: 4, decimals: 2, signed: true },
  },
  '00010000': {
    zh: '（当前）正向有功总电能',
    en: 'forward (import) active energy, total',
    unit: 'kWh',
    format: { bytes: 4, decimals: 2, signed: false },
  },
  '02010100': {
    zh: 'A 相电压',
    en: 'phase-A voltage',
    unit: 'V',
    format: { bytes: 2, decimals: 1, signed: false },
  },
  '02020100': {
    zh: 'A 相电流',
    en: 'phase-A current',
    unit: 'A',
    format: { bytes: 3, decimals: 3, signed: true },
  },
  '02030000': {
    zh: '瞬时总有功功率',
    en: 'total active power',
    unit: 'kW',
    format: { bytes: 3, decimals: 4, signed: true },
  },
  '02060000': {
    zh: '总功率因数',
    en: 'total power factor',
    unit: '',
    format: { bytes: 2, decimals: 3, signed: true },
  },
  '02800002': {
    zh: '电网频率',
    en: 'grid frequency',
    unit: 'Hz',
    format: { bytes: 2, decimals: 2, signed: false },
  },
});
