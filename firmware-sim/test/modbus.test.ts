import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { CATALOGUE, decodeReading, getModbusProfile, type ModbusProfile } from '../../devices/index.js';
import { Simulator } from '../simulator.js';
import { closeClient, modbusClient, readDevice, silentLogger, testConfig, testSite } from './helpers.js';

const MODBUS_PROFILES = CATALOGUE.filter((p): p is ModbusProfile => p.protocol === 'modbus');
const deviceIdOf = (profile: ModbusProfile) => `dev-${profile.id}`;
const SIMULATION: Record<string, Record<string, number>> = {
  'electricity-meter': { peak: 6000 },
  'water-flow-meter': { peak: 6 },
  'pressure-transmitter': { pressureMpa: 0.23 },
};

describe('Modbus TCP buses', () => {
  const site = testSite([
    ...MODBUS_PROFILES.map((profile, i) => ({
      id: deviceIdOf(profile),
      profile: profile.id,
      unitId: i + 1,
      simulation: SIMULATION[profile.category] ?? {},
    })),
    { id: 'b-flow', profile: 'tuf-2000m', zone: 'zone-b' as const, unitId: 7, simulation: { peak: 6 } },
  ]);
  const simulator = new Simulator({ config: testConfig(), logger: silentLogger, site });
  let client: ModbusRTU;
  let portA = 0;

  beforeAll(async () => {
    await simulator.start();
    const endpoint = simulator.busEndpoints().find((e) => e.busId === 'bus-zone-a');
    portA = endpoint?.port ?? 0;
    client = await modbusClient(portA);
  });

  afterAll(async () => {
    if (client) await closeClient(client);
    await simulator.stop();
  });

  it('has one endpoint per site bus', () => {
    expect(
      simulator
        .busEndpoints()
        .map((e) => e.busId)
        .sort(),
    ).toEqual(['bus-zone-a', 'bus-zone-b']);
    expect(portA).toBeGreaterThan(0);
  });

  it.each(MODBUS_PROFILES.map((p, i) => [p.id, p, i + 1] as const))(
    '%s: what the gateway decodes is what the meter served',
    async (_id, profile, unitId) => {
      const image = await readDevice(client, unitId, profile);
      const { values, errors } = decodeReading(profile, image);
      expect(errors).toEqual([]);
      const served = simulator.lastServed(deviceIdOf(profile));
      expect(served).toBeDefined();
      expect(Object.keys(values).sort()).toEqual(profile.registers.map((r) => r.field).sort());
      for (const [field, value] of Object.entries(values)) {
        const expected = served?.values[field] as number;
        expect(Math.abs(value - expected), `${field}: ${value} vs ${expected}`).toBeLessThanOrEqual(
          1e-6 * Math.max(1, Math.abs(expected)),
        );
      }
    },
  );

  it('serves TUF-2000M floats low word first at 1-based register numbers', async () => {
    const tuf = getModbusProfile('tuf-2000m');
    client.setID(MODBUS_PROFILES.indexOf(tuf) + 1);
    // The manual's example: R1..R2 = 0x806B 0x4212 is the float 0x4212806B, by hand
    // sign +, exponent 0x84 − 127 = 5, mantissa 1 + 0x12806B / 2^23: ≈ 36.6254.
    const manualExample = (1 + 0x12806b / 2 ** 23) * 2 ** 5;
    const cases: Array<[number, number[]]> = [
      [manualExample, [0x806b, 0x4212]],
      // 36.625 = 1.14453125 × 2^5: mantissa 0x128000, so the low word is 0x8000.
      [36.625, [0x8000, 0x4212]],
    ];
    try {
      for (const [flow, words] of cases) {
        simulator.freeze({ [deviceIdOf(tuf)]: { flow_m3h: flow } });
        const { data } = await client.readHoldingRegisters(0, 2);
        expect(data).toEqual(words);
        expect(simulator.lastServed(deviceIdOf(tuf))?.values.flow_m3h).toBe(flow);
      }
      expect(manualExample).toBeCloseTo(36.625, 3);
    } finally {
      simulator.unfreeze();
    }
  });

  it('serves the pressure transmitter as raw value, decimal places and unit code', async () => {
    const profile = getModbusProfile('generic-pressure-rs485');
    simulator.freeze({ [deviceIdOf(profile)]: { pressure_mpa: 0.2345 } });
    try {
      client.setID(MODBUS_PROFILES.indexOf(profile) + 1);
      const { data } = await client.readHoldingRegisters(2, 3);
      // unit code 3 = bar, 3 decimals, 2.345 bar
      expect(data).toEqual([3, 3, 2345]);
    } finally {
      simulator.unfreeze();
    }
  });

  it('answers 0 for addresses the profile does not define', async () => {
    client.setID(1);
    const { data } = await client.readHoldingRegisters(0x7000, 4);
    expect(data).toEqual([0, 0, 0, 0]);
  });

  it('a silent meter makes the read time out while another unit on the bus answers', async () => {
    const eastron = getModbusProfile('eastron-sdm120');
    const silentId = deviceIdOf(eastron);
    const fault = simulator.injectFault({ kind: 'meter-silent', target: silentId });
    try {
      client.setID(MODBUS_PROFILES.indexOf(eastron) + 1);
      await expect(client.readInputRegisters(0, 2)).rejects.toMatchObject({ errno: 'ETIMEDOUT' });
      const other = getModbusProfile('chint-ddsu666');
      const image = await readDevice(client, MODBUS_PROFILES.indexOf(other) + 1, other);
      expect(decodeReading(other, image).values.voltage_v).toBeGreaterThan(200);
    } finally {
      simulator.clearFault(fault.id);
    }
    const image = await readDevice(client, MODBUS_PROFILES.indexOf(eastron) + 1, eastron);
    expect(decodeReading(eastron, image).errors).toEqual([]);
  });

  it('an unknown unit id gets no answer', async () => {
    client.setID(200);
    await expect(client.readHoldingRegisters(0, 2)).rejects.toMatchObject({ errno: 'ETIMEDOUT' });
  });

  it.each([['tuf-2000m'], ['chint-dtsu666'], ['generic-pressure-rs485']])(
    '%s: a garbage meter yields decode errors',
    async (profileId) => {
      const profile = getModbusProfile(profileId);
      const fault = simulator.injectFault({ kind: 'meter-garbage', target: deviceIdOf(profile) });
      try {
        const image = await readDevice(client, MODBUS_PROFILES.indexOf(profile) + 1, profile);
        const { errors } = decodeReading(profile, image);
        expect(errors.length).toBeGreaterThan(0);
        const floats = profile.registers.filter((r) => r.type === 'float32').map((r) => r.field);
        for (const field of floats) expect(errors.map((e) => e.field)).toContain(field);
      } finally {
        simulator.clearFault(fault.id);
      }
    },
  );

  it('a power outage zeroes the zone meters on the wire', async () => {
    const fault = simulator.injectFault({ kind: 'power-outage', target: 'zone-a' });
    try {
      const profile = getModbusProfile('chint-dtsu666');
      const { values } = decodeReading(
        profile,
        await readDevice(client, MODBUS_PROFILES.indexOf(profile) + 1, profile),
      );
      expect([values.voltage_l1_v, values.current_l1_a, values.active_power_w]).toEqual([0, 0, 0]);
    } finally {
      simulator.clearFault(fault.id);
    }
  });

  it('other buses serve their own meters', async () => {
    const portB = simulator.busEndpoints().find((e) => e.busId === 'bus-zone-b')?.port ?? 0;
    const clientB = await modbusClient(portB);
    try {
      const profile = getModbusProfile('tuf-2000m');
      const { values, errors } = decodeReading(profile, await readDevice(clientB, 7, profile));
      expect(errors).toEqual([]);
      expect(values.forward_total_m3).toBe(simulator.lastServed('b-flow')?.values.forward_total_m3);
      clientB.setID(1);
      await expect(clientB.readHoldingRegisters(0, 2)).rejects.toMatchObject({ errno: 'ETIMEDOUT' });
    } finally {
      await closeClient(clientB);
    }
  });
});
