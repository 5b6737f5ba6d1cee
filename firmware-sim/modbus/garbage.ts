import { resolveRegisters, type ModbusProfile, type RegisterType } from '../../devices/index.js';

const TYPE_LIMITS: Readonly<Record<Exclude<RegisterType, 'float32'>, [number, number]>> = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
};

/** Decimal places a confused transmitter reports: more than any reader accepts. */
export const GARBAGE_DECIMALS = 9;

/**
 * What a meter mid-reset or with a corrupted image sends: NaN in every float, and in
 * every integer with a valid range the type's extreme that lies outside it. Fields
 * without a range (counters, error codes) keep their real value.
 */
export function garbageValues(
  profile: ModbusProfile,
  real: Readonly<Record<string, number>>,
): Record<string, number> {
  const values: Record<string, number> = { ...real };
  for (const { field } of resolveRegisters(profile)) {
    if (field.type === 'float32') {
      values[field.field] = Number.NaN;
      continue;
    }
    const range = field.validRange;
    if (!range) continue;
    const [min, max] = TYPE_LIMITS[field.type];
    const outside = [max, min].find((candidate) => candidate < range[0] || candidate > range[1]);
    if (outside !== undefined && !field.decimalShift) values[field.field] = outside;
  }
  return values;
}
