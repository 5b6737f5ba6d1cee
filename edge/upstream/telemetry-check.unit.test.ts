import { describe, expect, it } from 'vitest';
import { MESSAGE_LIMITS, telemetryMessageSchema } from '../../contracts/index.js';
import { isContractTelemetry } from './telemetry-check.js';

const zodAccepts = (ts: number, values: Record<string, unknown>) =>
  telemetryMessageSchema.safeParse({ ts, seq: 0, values }).success;

const TS = 1_765_000_000_000;
const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f_${i}`, i]));

describe('isContractTelemetry', () => {
  const accepted: Array<[string, number, Record<string, unknown>]> = [
    ['a meter reading', TS, { voltage_v: 229.7, current_a: 1.25, energy_kwh: 1234.5, power_factor: -0.98 }],
    ['one value', TS, { pressure_mpa: 0 }],
    ['the most values a reading may hold', TS, many(MESSAGE_LIMITS.valuesPerReading)],
  ];
  it.each(accepted)('accepts %s, as zod does', (_, ts, values) => {
    expect(isContractTelemetry(ts, values)).toBe(true);
    expect(zodAccepts(ts, values)).toBe(true);
  });

  const refused: Array<[string, number, Record<string, unknown>]> = [
    ['no value', TS, {}],
    ['one value too many', TS, many(MESSAGE_LIMITS.valuesPerReading + 1)],
    ['NaN', TS, { voltage_v: Number.NaN }],
    ['Infinity', TS, { voltage_v: Number.POSITIVE_INFINITY }],
    ['a string value', TS, { voltage_v: '229.7' }],
    ['a null value', TS, { voltage_v: null }],
    ['a capital in a field name', TS, { Voltage_v: 1 }],
    ['a field name starting with a digit', TS, { '1_v': 1 }],
    ['a dash in a field name', TS, { 'voltage-v': 1 }],
    ['a field name of 64 characters', TS, { [`a${'b'.repeat(63)}`]: 1 }],
    ['a timestamp with a fraction', TS + 0.5, { voltage_v: 1 }],
    ['a timestamp of 0', 0, { voltage_v: 1 }],
    ['a negative timestamp', -TS, { voltage_v: 1 }],
    ['an unsafe timestamp', 2 ** 53, { voltage_v: 1 }],
  ];
  it.each(refused)('leaves %s to zod, which refuses it', (_, ts, values) => {
    expect(isContractTelemetry(ts, values)).toBe(false);
    expect(zodAccepts(ts, values)).toBe(false);
  });

  it('leaves objects that are not plain to zod', () => {
    const values = Object.assign(Object.create(null) as Record<string, unknown>, { voltage_v: 1 });
    expect(isContractTelemetry(TS, values)).toBe(false);
    expect(isContractTelemetry(TS, [1] as unknown as Record<string, unknown>)).toBe(false);
  });

  it('never accepts what zod refuses (random readings)', () => {
    const keys = ['voltage_v', 'a', 'z9', '_x', 'A', 'energy_kwh', '', 'x-y', 'a'.repeat(63), 'a'.repeat(64)];
    const numbers = [0, -1, 1.5, 1e300, Number.NaN, Number.NEGATIVE_INFINITY, '1', true, undefined];
    let seed = 26;
    const pick = <T>(list: readonly T[]): T => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return list[seed % list.length] as T;
    };
    for (let i = 0; i < 2000; i++) {
      const values: Record<string, unknown> = {};
      const n = pick([0, 1, 2, 3, 5]);
      for (let k = 0; k < n; k++) values[pick(keys)] = pick(numbers);
      const ts = pick([TS, TS + 0.1, 0, 1, 2 ** 53 - 1]);
      if (isContractTelemetry(ts, values)) expect(zodAccepts(ts, values)).toBe(true);
    }
  });
});
