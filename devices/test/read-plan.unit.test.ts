import { describe, expect, it } from 'vitest';
import { planReads } from '../read-plan.js';
import { getModbusProfile, CATALOGUE } from '../catalogue.js';
import { modbusProfileSchema, type ModbusProfile } from '../profile-schema.js';
import { resolveRegisters } from '../register-map.js';

describe('planReads', () => {
  it('reads the DTSU666 in two transactions instead of one per field', () => {
    const profile = getModbusProfile('chint-dtsu666');
    const blocks = planReads(profile);
    expect(blocks).toEqual([
      { table: 'holding', start: 0x2006, count: 0x2046 - 0x2006 },
      { table: 'holding', start: 0x401e, count: 0x402a - 0x401e },
    ]);
    expect(profile.registers.length).toBe(11);
  });

  it('covers the pressure transmitter value and its auxiliary registers in one read', () => {
    expect(planReads(getModbusProfile('generic-pressure-rs485'))).toEqual([
      { table: 'holding', start: 2, count: 11 },
    ]);
  });

  it('splits at the per-read limit and at large gaps', () => {
    const profile = modbusProfileSchema().parse({
      ...getModbusProfile('eastron-sdm120'),
      maxRegistersPerRead: 4,
      maxGap: 2,
      registers: [
        { field: 'a_v', at: 0, type: 'float32' },
        { field: 'b_v', at: 2, type: 'float32' },
        { field: 'c_v', at: 4, type: 'float32' },
        { field: 'd_v', at: 20, type: 'uint16' },
      ],
    });
    expect(planReads(profile)).toEqual([
      { table: 'input', start: 0, count: 4 },
      { table: 'input', start: 4, count: 2 },
      { table: 'input', start: 20, count: 1 },
    ]);
  });

  it.each(
    CATALOGUE.filter((p): p is ModbusProfile => p.protocol === 'modbus').map((p) => [p.id, p] as const),
  )('%s: every register is inside exactly one block, no block exceeds 125 registers', (_id, profile) => {
    const blocks = planReads(profile);
    for (const block of blocks) {
      expect(block.count).toBeLessThanOrEqual(Math.min(125, profile.maxRegistersPerRead));
    }
    for (const register of resolveRegisters(profile)) {
      const covering = blocks.filter(
        (b) =>
          b.table === register.table &&
          b.start <= register.address &&
          register.address + register.width <= b.start + b.count,
      );
      expect(covering, register.field.field).toHaveLength(1);
    }
  });
});
