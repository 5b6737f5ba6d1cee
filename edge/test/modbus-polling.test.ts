import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryMessageSchema, topics } from '../../contracts/index.js';
import {
  CATALOGUE,
  encodeReading,
  planReads,
  resolveRegisters,
  type ModbusProfile,
} from '../../devices/index.js';
import type { Gateway } from '../gateway.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';

const modbusProfiles = CATALOGUE.filter((p): p is ModbusProfile => p.protocol === 'modbus');

/** A value inside each field's valid range that its register type can carry. */
function sampleValues(profile: ModbusProfile): Record<string, number> {
  const values: Record<string, number> = {};
  for (const register of resolveRegisters(profile)) {
    const [lo, hi] = register.field.validRange ?? [0, 1000];
    const value = lo + (hi - lo) * 0.37;
    values[register.field.field] =
      register.field.type === 'float32' || register.field.decimalShift
        ? Number(value.toFixed(3))
        : Math.round(value / register.field.scale) * register.field.scale;
  }
  return values;
}

describe('Modbus polling of every catalogue profile', () => {
  const server = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  let gateway: Gateway;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const expected = new Map<
    string,
    { profile: ModbusProfile; unitId: number; values: Record<string, number> }
  >();

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([server.start(), upstream.start()]);
    modbusProfiles.forEach((profile, i) => {
      const unitId = i + 1;
      const values = sampleValues(profile);
      server.serve(unitId, encodeReading(profile, values));
      expected.set(`dev-${profile.id}`, { profile, unitId, values });
    });
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        modbus: {
          buses: [
            server.bus(
              [...expected].map(([id, e]) => ({
                id,
                profile: e.profile.id,
                unitId: e.unitId,
                pollIntervalS: 0.2,
              })),
              { id: 'bus-test', timeoutMs: 1000 },
            ),
          ],
        },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([server.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('publishes what each meter encoded, with consecutive seq and one transaction per planned block', async () => {
    expect(modbusProfiles.length).toBeGreaterThanOrEqual(5);
    for (const [device, { values }] of expected) {
      const topic = topics.telemetry('test-site', 'gw-test', device);
      const received = await upstream.waitFor(
        `3 readings of ${device}`,
        () => upstream.on(topic).length >= 3,
      );
      expect(received).toBeDefined();
      const messages = upstream.on(topic).map((m) => telemetryMessageSchema.parse(m.payload));
      for (const message of messages) {
        expect(Object.keys(message.values).sort()).toEqual(Object.keys(values).sort());
        for (const [field, value] of Object.entries(values)) {
          const got = message.values[field] as number;
          expect(Math.abs(got - value), `${device} ${field}: ${got} vs ${value}`).toBeLessThanOrEqual(
            Math.abs(value) * 2e-6 + 1e-6,
          );
        }
      }
      const seqs = messages.map((m) => m.seq);
      seqs.forEach((seq, i) => i > 0 && expect(seq).toBe((seqs[i - 1] as number) + 1));
    }
    await gateway.stop();
    for (const [device, { profile, unitId }] of expected) {
      const status = gateway.devices().find((d) => d.id === device);
      expect(status?.successCount, device).toBeGreaterThanOrEqual(3);
      expect(status?.errorCount, device).toBe(0);
      // One transaction per planned block. A poll under way when the gateway stops is read to
      // its end but not counted (nothing of it is published), so it may add one poll's blocks.
      const blocks = planReads(profile).length;
      const polls = status?.successCount ?? 0;
      expect([polls * blocks, (polls + 1) * blocks], device).toContain(server.transactions.get(unitId));
    }
  });
});
