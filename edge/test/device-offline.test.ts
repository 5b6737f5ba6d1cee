import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventMessageSchema, topics } from '../../contracts/index.js';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';

const profile = getModbusProfile('eastron-sdm120');
const values = { voltage_v: 229.5, current_a: 4.25, frequency_hz: 50 };

describe('a device that stops answering', () => {
  const deadBus = new ModbusTestServer();
  const liveBus = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  let gateway: Gateway;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([deadBus.start(), liveBus.start(), upstream.start()]);
    deadBus.serve(1, encodeReading(profile, values));
    liveBus.serve(1, encodeReading(profile, values));
    deadBus.setSilent(1, true);
    const bus = (id: string, server: ModbusTestServer, device: string) =>
      server.bus([{ id: device, profile: profile.id, unitId: 1, pollIntervalS: 0.1 }], {
        id,
        timeoutMs: 150,
      });
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        modbus: {
          offlineAfterFailures: 2,
          offlinePollIntervalS: 0.3,
          buses: [bus('bus-dead', deadBus, 'dead-meter'), bus('bus-live', liveBus, 'live-meter')],
        },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([deadBus.stop(), liveBus.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('is reported offline while a meter on another bus keeps publishing, and online when it answers again', async () => {
    const deadEvents = topics.event('test-site', 'gw-test', 'dead-meter');
    const liveTelemetry = topics.telemetry('test-site', 'gw-test', 'live-meter');
    const offline = await upstream.waitFor('device_offline', (m) => m.topic === deadEvents);
    const offlineEvent = eventMessageSchema.parse(offline.payload);
    expect(offlineEvent.type).toBe('device_offline');
    expect(offlineEvent.data.code, String(offlineEvent.data.message)).toBe('MODBUS_TIMEOUT');
    expect(String(offlineEvent.data.message)).toContain('no answer');

    const liveBefore = upstream.on(liveTelemetry).length;
    await upstream.waitFor(
      'live meter keeps publishing',
      () => upstream.on(liveTelemetry).length >= liveBefore + 3,
    );
    expect(upstream.on(topics.telemetry('test-site', 'gw-test', 'dead-meter'))).toHaveLength(0);
    expect(gateway.devices().find((d) => d.id === 'dead-meter')?.online).toBe(false);
    expect(gateway.devices().find((d) => d.id === 'dead-meter')?.lastError?.code).toBe('MODBUS_TIMEOUT');

    deadBus.setSilent(1, false);
    const online = await upstream.waitFor(
      'device_online',
      (m) => m.topic === deadEvents && m.payload.type === 'device_online',
    );
    expect(eventMessageSchema.parse(online.payload).seq).toBeGreaterThan(offlineEvent.seq);
    const reading = await upstream.waitFor('a reading after recovery', (m) =>
      m.topic.endsWith('/dead-meter/telemetry'),
    );
    expect(reading.payload.values).toMatchObject(values);
    // Exactly one offline event for the whole outage.
    expect(upstream.on(deadEvents).filter((m) => m.payload.type === 'device_offline')).toHaveLength(1);
  });

  it('reconnects after the bus connection drops, without a restart', async () => {
    const liveTelemetry = topics.telemetry('test-site', 'gw-test', 'live-meter');
    await liveBus.stop();
    const port = liveBus.port;
    await waitFor('a failed poll while the bus is down', () =>
      (gateway.devices().find((d) => d.id === 'live-meter')?.lastError?.code ?? '') === 'MODBUS_CONNECT'
        ? true
        : undefined,
    );
    await liveBus.start(port);
    const count = upstream.on(liveTelemetry).length;
    await upstream.waitFor(
      'readings after reconnecting',
      () => upstream.on(liveTelemetry).length >= count + 2,
      15_000,
    );
  });
});
