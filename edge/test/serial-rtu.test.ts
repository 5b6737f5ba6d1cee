import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventMessageSchema, telemetryMessageSchema, topics } from '../../contracts/index.js';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { PtyPair } from './support/pty-pair.js';
import { RtuResponder } from './support/rtu-responder.js';
import { SerialRtuSlave, TcpRtuSlave } from './support/rtu-slave.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';

const sdm120 = getModbusProfile('eastron-sdm120');
const ddsu666 = getModbusProfile('chint-ddsu666');
const goodA = { voltage_v: 229.5, current_a: 4.25, frequency_hz: 50 };
const goodB = { voltage_v: 221.5, current_a: 1.5 };
const telemetry = (device: string) => topics.telemetry('test-site', 'gw-test', device);
const status = (gateway: Gateway, device: string) => gateway.devices().find((d) => d.id === device);

describe('RS-485 over a real pseudo-terminal pair', () => {
  const upstream = new UpstreamBroker();
  const responder = new RtuResponder();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let pty: PtyPair;
  let slave: SerialRtuSlave;
  let gateway: Gateway;

  beforeAll(async () => {
    dir = await tempDir();
    pty = new PtyPair(dir.path);
    await Promise.all([pty.start(), upstream.start()]);
    responder.serve(1, encodeReading(sdm120, goodA));
    responder.serve(2, encodeReading(ddsu666, goodB));
    responder.serve(3, encodeReading(sdm120, goodA), 'silent');
    responder.serve(4, encodeReading(sdm120, goodA), 'garbage');
    slave = new SerialRtuSlave(responder, pty.b);
    await slave.start();
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        modbus: {
          offlineAfterFailures: 2,
          offlinePollIntervalS: 1,
          buses: [
            {
              id: 'bus-rs485',
              transport: 'rtu',
              path: pty.a,
              baudRate: 9600,
              parity: 'none',
              timeoutMs: 150,
              retries: 1,
              retryBackoffMs: 20,
              devices: [
                { id: 'meter-a', profile: sdm120.id, unitId: 1, pollIntervalS: 0.2 },
                { id: 'meter-b', profile: ddsu666.id, unitId: 2, pollIntervalS: 0.2 },
                { id: 'meter-dead', profile: sdm120.id, unitId: 3, pollIntervalS: 0.2 },
                { id: 'meter-garbage', profile: sdm120.id, unitId: 4, pollIntervalS: 0.2 },
              ],
            },
          ],
        },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await slave?.stop();
    await pty?.stop();
    await upstream.stop();
    await dir?.remove();
  });

  it('keeps the good meters publishing while one is dead and one answers garbage', async () => {
    await upstream.waitFor('meter-dead offline', (m) => m.topic.endsWith('/meter-dead/event'), 15_000);
    const before = {
      a: upstream.on(telemetry('meter-a')).length,
      b: upstream.on(telemetry('meter-b')).length,
    };
    await waitFor(
      'both good meters publish 3 more readings',
      () =>
        upstream.on(telemetry('meter-a')).length >= before.a + 3 &&
        upstream.on(telemetry('meter-b')).length >= before.b + 3,
      { timeoutMs: 15_000 },
    );
    for (const message of upstream.on(telemetry('meter-a'))) {
      expect(telemetryMessageSchema.parse(message.payload).values).toMatchObject(goodA);
    }
    for (const message of upstream.on(telemetry('meter-b'))) {
      expect(telemetryMessageSchema.parse(message.payload).values).toMatchObject(goodB);
    }

    const offline = eventMessageSchema.parse(
      upstream.on(topics.event('test-site', 'gw-test', 'meter-dead'))[0]?.payload,
    );
    expect(offline.type).toBe('device_offline');
    expect(offline.data.code).toBe('MODBUS_TIMEOUT');
    expect(status(gateway, 'meter-dead')?.online).toBe(false);

    const garbage = status(gateway, 'meter-garbage');
    expect(garbage?.errorCount).toBeGreaterThan(0);
    expect(garbage?.successCount).toBe(0);
    expect(garbage?.lastError?.code).toBe('MODBUS_BAD_FRAME');
    expect(garbage?.lastError?.message).toContain('CRC');
    // Garbled answers prove something is on the line: reported as a device error, never offline.
    expect(garbage?.online).toBeUndefined();
    expect(garbage?.answeringBadly).toBe(true);
    const garbageEvents = upstream
      .on(topics.event('test-site', 'gw-test', 'meter-garbage'))
      .map((m) => eventMessageSchema.parse(m.payload));
    expect(garbageEvents.map((e) => e.type)).toEqual(['device_error']);
    expect(garbageEvents[0]?.data.code).toBe('MODBUS_BAD_FRAME');
    expect(upstream.on(telemetry('meter-garbage'))).toHaveLength(0);
    expect(upstream.on(telemetry('meter-dead'))).toHaveLength(0);
    expect(status(gateway, 'meter-a')?.errorCount).toBe(0);
    expect(status(gateway, 'meter-b')?.errorCount).toBe(0);

    const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
    expect(metrics).toMatch(
      /edge_modbus_poll_errors_total\{bus="bus-rs485",code="MODBUS_BAD_FRAME"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(
      /edge_modbus_poll_errors_total\{bus="bus-rs485",code="MODBUS_TIMEOUT"[^}]*\} [1-9]/,
    );
  });

  it('costs the line at most one request per slow-poll cycle once the dead meter is offline', async () => {
    const start = responder.requests.get(3) ?? 0;
    const startedAt = Date.now();
    const otherBefore = responder.requests.get(1) ?? 0;
    await waitFor(
      'meter-a polled 10 more times',
      () => (responder.requests.get(1) ?? 0) >= otherBefore + 10,
      {
        timeoutMs: 15_000,
      },
    );
    const cycles = Math.ceil((Date.now() - startedAt) / 1000) + 1;
    expect((responder.requests.get(3) ?? 0) - start).toBeLessThanOrEqual(cycles);
  });

  it('recovers when the serial port disappears and comes back, without a restart', async () => {
    await slave.stop();
    await pty.stop();
    await waitFor(
      'a poll failing with MODBUS_CONNECT',
      () => status(gateway, 'meter-a')?.lastError?.code === 'MODBUS_CONNECT',
      { timeoutMs: 15_000 },
    );
    await pty.start();
    await slave.start();
    const count = upstream.on(telemetry('meter-a')).length;
    await upstream.waitFor(
      'readings after the port came back',
      () => upstream.on(telemetry('meter-a')).length >= count + 2,
      20_000,
    );
  });
});

describe('RTU over TCP through a transparent converter', () => {
  const upstream = new UpstreamBroker();
  const responder = new RtuResponder();
  const converter = new TcpRtuSlave(responder);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: Gateway;

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([converter.start(), upstream.start()]);
    responder.serve(5, encodeReading(ddsu666, goodB));
    responder.serve(6, encodeReading(sdm120, goodA), 'garbage');
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        modbus: {
          buses: [
            {
              id: 'bus-converter',
              transport: 'rtu-over-tcp',
              host: '127.0.0.1',
              port: converter.port,
              timeoutMs: 200,
              retryBackoffMs: 20,
              devices: [
                { id: 'meter-c', profile: ddsu666.id, unitId: 5, pollIntervalS: 0.1 },
                { id: 'meter-noisy', profile: sdm120.id, unitId: 6, pollIntervalS: 0.1 },
              ],
            },
          ],
        },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([converter.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('reassembles split RTU frames and checks their CRC', async () => {
    await upstream.waitFor('3 readings of meter-c', () => upstream.on(telemetry('meter-c')).length >= 3);
    const reading = telemetryMessageSchema.parse(upstream.on(telemetry('meter-c'))[0]?.payload);
    expect(reading.values).toMatchObject(goodB);
    await waitFor('a garbled answer counted', () => (status(gateway, 'meter-noisy')?.errorCount ?? 0) > 0);
    expect(status(gateway, 'meter-noisy')?.lastError?.code).toBe('MODBUS_BAD_FRAME');
    expect(status(gateway, 'meter-c')?.errorCount).toBe(0);
  });
});
