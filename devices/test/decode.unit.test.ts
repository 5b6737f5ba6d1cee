import { describe, expect, it } from 'vitest';
import { decodeReading, encodeReading, RegisterImage } from '../decode.js';
import { getModbusProfile, CATALOGUE } from '../catalogue.js';
import { planReads } from '../read-plan.js';
import type { ModbusProfile } from '../profile-schema.js';

const modbusProfiles = CATALOGUE.filter((p): p is ModbusProfile => p.protocol === 'modbus');

describe('decodeReading', () => {
  it('applies DTSU666 scales: 2301 in 0.1 V is 230.1 V, 12345 mA is 12.345 A', () => {
    const profile = getModbusProfile('chint-dtsu666');
    const image = new RegisterImage();
    const put = (address: number, hi: number, lo: number) => {
      image.set('holding', address, hi);
      image.set('holding', address + 1, lo);
    };
    put(0x2006, 0x450f, 0xd000); // 2301.0
    put(0x200c, 0x4640, 0xe400); // 12345.0
    const { values } = decodeReading(profile, image);
    expect(values.voltage_l1_v).toBeCloseTo(230.1, 4);
    expect(values.current_l1_a).toBeCloseTo(12.345, 4);
  });

  it('reads TUF-2000M register R1 at protocol address 0 (one-based numbering)', () => {
    const profile = getModbusProfile('tuf-2000m');
    const image = new RegisterImage();
    image.set('holding', 0, 0x806b);
    image.set('holding', 1, 0x4212);
    const { values, errors } = decodeReading(profile, image);
    expect(values.flow_m3h).toBeCloseTo(36.62541, 5);
    expect(errors.find((e) => e.field === 'flow_m3h')).toBeUndefined();
    // R72 error code lives at address 71
    image.set('holding', 71, 7);
    expect(decodeReading(profile, image).values.error_code).toBe(7);
  });

  it('shifts the pressure transmitter value by its decimals, offset and unit registers', () => {
    const profile = getModbusProfile('generic-pressure-rs485');
    const image = new RegisterImage();
    image.set('holding', 0x0002, 3); // bar
    image.set('holding', 0x0003, 2); // two decimals
    image.set('holding', 0x0004, 245); // 2.45 raw
    image.set('holding', 0x000c, 0xfffb); // offset -5
    // (245 - 5) / 100 = 2.40 bar = 0.240 MPa
    expect(decodeReading(profile, image).values.pressure_mpa).toBeCloseTo(0.24, 6);
    image.set('holding', 0x0002, 6); // psi
    image.set('holding', 0x0003, 1);
    image.set('holding', 0x0004, 300);
    image.set('holding', 0x000c, 0);
    expect(decodeReading(profile, image).values.pressure_mpa).toBeCloseTo(30 * 0.00689476, 6);
  });

  it('reports an unknown unit code instead of guessing', () => {
    const profile = getModbusProfile('generic-pressure-rs485');
    const image = new RegisterImage();
    image.set('holding', 0x0002, 99);
    image.set('holding', 0x0003, 0);
    image.set('holding', 0x0004, 1);
    image.set('holding', 0x000c, 0);
    const reading = decodeReading(profile, image);
    expect(reading.values.pressure_mpa).toBeUndefined();
    expect(reading.errors[0]?.reason).toMatch(/unknown unit code 99/);
  });

  it('drops NaN and out-of-range fields but keeps the rest', () => {
    const profile = getModbusProfile('eastron-sdm120');
    const image = encodeReading(profile, { voltage_v: 231, current_a: 2, frequency_hz: 50 });
    image.set('input', 0x0000, 0x7fc0); // NaN voltage
    image.set('input', 0x0001, 0x0000);
    image.set('input', 0x0046, 0x4700); // 32768 Hz
    image.set('input', 0x0047, 0x0000);
    const reading = decodeReading(profile, image);
    expect(reading.values.current_a).toBe(2);
    expect(reading.values.voltage_v).toBeUndefined();
    expect(reading.values.frequency_hz).toBeUndefined();
    expect(reading.errors.map((e) => e.field).sort()).toContain('voltage_v');
    expect(reading.errors.find((e) => e.field === 'frequency_hz')?.reason).toMatch(/outside valid range/);
  });

  it('reports registers that were not read', () => {
    const profile = getModbusProfile('eastron-sdm120');
    const reading = decodeReading(profile, new RegisterImage());
    expect(Object.keys(reading.values)).toHaveLength(0);
    expect(reading.errors).toHaveLength(profile.registers.length);
  });

  it.each(modbusProfiles.map((p) => [p.id, p] as const))(
    '%s: values survive encode → planned reads → decode',
    (_id, profile) => {
      const values: Record<string, number> = {};
      profile.registers.forEach((register, i) => {
        const [low, high] = register.validRange ?? [0, 1000];
        const span = Math.min(high, 1000) - Math.max(low, 0);
        values[register.field] = Math.max(low, 0) + (span * (i + 1)) / (profile.registers.length + 2);
        if (register.type !== 'float32' && !register.decimalShift)
          values[register.field] = Math.round(values[register.field] as number);
      });
      const served = encodeReading(profile, values);
      // read back only through the planned blocks, as the gateway does
      const blocks = planReads(profile).map((block) => ({
        block,
        words: Array.from({ length: block.count }, (_, i) => served.get(block.table, block.start + i) ?? 0),
      }));
      const reading = decodeReading(profile, RegisterImage.fromBlocks(blocks));
      expect(reading.errors).toEqual([]);
      for (const [field, expected] of Object.entries(values)) {
        expect(reading.values[field]).toBeCloseTo(expected, 2);
      }
    },
  );
});
