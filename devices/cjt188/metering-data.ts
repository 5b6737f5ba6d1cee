import { decodeBcdNumber, encodeBcdNumber, hexBytes } from '../bcd.js';
import { Cjt188Error } from './errors.js';

/**
 * The 901F metering data of a water or gas meter after DI and SER (CJ/T 188-2004
 * table 5): current cumulative flow (4 BCD bytes XXXXXX.XX, then a unit code),
 * settlement-day cumulative flow (the same), the meter's clock (7 BCD bytes), status ST
 * (2 bytes). Every multi-byte number is sent least significant byte first.
 */
export const CJT188_METERING_DATA_BYTES = 19;

/** Unit codes of volumes (CJ/T 188-2004 table 6), as a factor into m³. */
export const CJT188_VOLUME_UNITS: Readonly<Record<number, { symbol: string; toM3: number }>> = Object.freeze({
  0x29: { symbol: 'L', toM3: 0.001 },
  0x2c: { symbol: 'm³', toM3: 1 },
});
export const CJT188_UNIT_M3 = 0x2c;

/**
 * Status ST, first byte (D0..D7): D1 D0 valve 00 open, 01 closed, 11 abnormal; D2
 * battery 1 = low. D3..D7 and the second byte are the maker's. ⚠ Some vendor code
 * reads the same two fields from the top bits (0xC0, 0x20) of the byte.
 */
export const CJT188_VALVE_STATES = {
  0: { zh: '开', en: 'open' },
  1: { zh: '关', en: 'closed' },
  2: { zh: '未定义', en: 'undefined (10)' },
  3: { zh: '异常', en: 'abnormal' },
} as const;
export type Cjt188ValveCode = keyof typeof CJT188_VALVE_STATES;
const VALVE_MASK = 0x03;
const BATTERY_LOW = 0x04;

export interface Cjt188Status {
  /** ST as a 16-bit number, first byte in the low half. */
  word: number;
  valve: Cjt188ValveCode;
  batteryLow: boolean;
}

export interface Cjt188MeterClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface Cjt188MeteringData {
  currentTotalM3: number;
  settlementTotalM3: number;
  clock: Cjt188MeterClock;
  status: Cjt188Status;
}

export function decodeCjt188Status(word: number): Cjt188Status {
  return {
    word,
    valve: (word & VALVE_MASK) as Cjt188ValveCode,
    batteryLow: (word & BATTERY_LOW) !== 0,
  };
}

export function encodeCjt188Status(status: {
  valve: Cjt188ValveCode;
  batteryLow: boolean;
  vendor?: number;
}): number {
  return (status.valve & VALVE_MASK) | (status.batteryLow ? BATTERY_LOW : 0) | ((status.vendor ?? 0) << 8);
}

export function decodeCjt188MeteringData(payload: Uint8Array): Cjt188MeteringData {
  if (payload.length < CJT188_METERING_DATA_BYTES) {
    throw new Cjt188Error(
      'CJT188_BAD_LENGTH',
      `metering data needs ${CJT188_METERING_DATA_BYTES} bytes after DI and SER, got ${payload.length}`,
    );
  }
  const clockDigits = bcd(payload.subarray(10, 17), 0, 'clock');
  const clock = String(clockDigits).padStart(14, '0');
  const part = (from: number, to: number) => Number(clock.slice(from, to));
  return {
    currentTotalM3: volume(payload.subarray(0, 5), 'current cumulative flow'),
    settlementTotalM3: volume(payload.subarray(5, 10), 'settlement-day cumulative flow'),
    clock: {
      year: part(0, 4),
      month: part(4, 6),
      day: part(6, 8),
      hour: part(8, 10),
      minute: part(10, 12),
      second: part(12, 14),
    },
    status: decodeCjt188Status((payload[17] as number) | ((payload[18] as number) << 8)),
  };
}

/** What a meter sends for `data`, totals in m³. */
export function encodeCjt188MeteringData(data: Cjt188MeteringData): Buffer {
  const total = (m3: number, what: string) => {
    const digits = encodeBcdNumber(m3, 4, 2);
    if (!digits) throw new Cjt188Error('CJT188_VALUE_RANGE', `${what} ${m3} m³ does not fit XXXXXX.XX`);
    return Buffer.concat([digits, Buffer.from([CJT188_UNIT_M3])]);
  };
  const { year, month, day, hour, minute, second } = data.clock;
  const clockText = [year, month, day, hour, minute, second]
    .map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0'))
    .join('');
  const clock = encodeBcdNumber(Number(clockText), 7, 0) as Buffer;
  const status = Buffer.alloc(2);
  status.writeUInt16LE(data.status.word & 0xffff);
  return Buffer.concat([
    total(data.currentTotalM3, 'current cumulative flow'),
    total(data.settlementTotalM3, 'settlement-day cumulative flow'),
    clock,
    status,
  ]);
}

function volume(bytes: Uint8Array, what: string): number {
  const value = bcd(bytes.subarray(0, 4), 2, what);
  const code = bytes[4] as number;
  const unit = CJT188_VOLUME_UNITS[code];
  if (!unit) {
    throw new Cjt188Error('CJT188_UNKNOWN_UNIT', `${what}: unit code 0x${code.toString(16).toUpperCase()}`);
  }
  return Number((value * unit.toM3).toFixed(5));
}

function bcd(bytes: Uint8Array, decimals: number, what: string): number {
  const value = decodeBcdNumber(bytes, decimals);
  if (value === undefined) throw new Cjt188Error('CJT188_NOT_BCD', `${what}: ${hexBytes(bytes)}`);
  return value;
}
