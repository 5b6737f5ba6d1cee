import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchMessageSchema, topics } from '../../contracts/index.js';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import type { Gateway } from '../gateway.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';

const profile = getModbusProfile('tuf-2000m');

describe('batch publish mode', () => {
  const server = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  let gateway: Gateway;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([server.start(), upstream.start()]);
    server.serve(1, encodeReading(profile, { flow_m3h: 36.625, forward_total_m3: 1200 }));
    server.serve(2, encodeReading(profile, { flow_m3h: 2.5, forward_total_m3: 80 }));
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        publish: { mode: 'batch', batchIntervalMs: 200 },
        modbus: {
          buses: [
            server.bus(
              [
                { id: 'flow-a', profile: profile.id, unitId: 1, pollIntervalS: 0.1 },
                { id: 'flow-b', profile: profile.id, unitId: 2, pollIntervalS: 0.1 },
              ],
              { id: 'bus-water' },
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

  it('sends many devices’ readings in one batch message and none per device', async () => {
    const batchTopic = topics.batch('test-site', 'gw-test');
    const message = await upstream.waitFor('a batch with both meters', (m) => {
      if (m.topic !== batchTopic) return false;
      const devices = new Set(batchMessageSchema.parse(m.payload).telemetry.map((t) => t.device));
      return devices.has('flow-a') && devices.has('flow-b');
    });
    const batch = batchMessageSchema.parse(message.payload);
    expect(batch.telemetry.find((t) => t.device === 'flow-a')?.values.flow_m3h).toBe(36.625);
    expect(batch.telemetry.find((t) => t.device === 'flow-b')?.values.forward_total_m3).toBe(80);
    expect(upstream.messages.filter((m) => m.topic.endsWith('/telemetry'))).toHaveLength(0);
  });
});
