import { afterAll, beforeAll, describe, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { Dlt645TcpServer } from '../../firmware-sim/index.js';
import { freePort, waitFor } from '../../runtime/index.js';
import { TcpProxy } from '../../test/support/index.js';
import type { Gateway } from '../gateway.js';
import { DLT645_PROFILE, NOON_CLOCK, simulatedMeter } from './support/dlt645-meters.js';
import { startGateway, tempDir, testConfig, testLogger } from './support/gateway-harness.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { RtuResponder } from './support/rtu-responder.js';
import { TcpRtuSlave } from './support/rtu-slave.js';
import { UpstreamBroker } from './support/upstream-broker.js';

const sdm120 = getModbusProfile('eastron-sdm120');
const values = { voltage_v: 229.5, current_a: 4.25, frequency_hz: 50 };
const SHOP = '000012345678';
const DEVICES = ['tcp-meter', 'converter-meter', 'dlt645-meter'] as const;

/**
 * Each TCP peer of the gateway (a Modbus TCP meter, a transparent RS-485 converter with
 * RTU behind it, one with DL/T 645 behind it) resets the connection as soon as a request
 * arrives, as a meter or serial server rebooting mid-transaction does, again and again.
 * The gateway keeps running (an unhandled socket error fails the run) and every meter's
 * readings come again once the peers answer, without a restart.
 */
describe('TCP meter peers resetting their connections mid-transaction', () => {
  const upstream = new UpstreamBroker();
  const modbus = new ModbusTestServer();
  const responder = new RtuResponder();
  const converter = new TcpRtuSlave(responder);
  const dlt645 = new Dlt645TcpServer(
    { busId: 'bus-dlt645', host: '127.0.0.1', port: 0 },
    { logger: testLogger, clock: NOON_CLOCK, refreshMs: 3_600_000, meters: [simulatedMeter(SHOP, 3000)] },
  );
  const proxies: TcpProxy[] = [];
  let gateway: Gateway | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const status = (device: string) => gateway?.devices().find((d) => d.id === device);
  const telemetry = (device: string) => upstream.on(topics.telemetry('test-site', 'gw-test', device)).length;

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([modbus.start(), converter.start(), dlt645.start(), upstream.start()]);
    modbus.serve(1, encodeReading(sdm120, values));
    responder.serve(5, encodeReading(sdm120, values));
    for (const port of [modbus.port, converter.port, dlt645.endpoint.port]) {
      const proxy = new TcpProxy(await freePort(), port);
      await proxy.start();
      proxies.push(proxy);
    }
    const [toModbus, toConverter, toDlt645] = proxies as [TcpProxy, TcpProxy, TcpProxy];
    const peer = { host: '127.0.0.1', timeoutMs: 300, retryBackoffMs: 20 };
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        modbus: {
          offlineAfterFailures: 2,
          offlinePollIntervalS: 0.3,
          buses: [
            {
              id: 'bus-tcp',
              transport: 'tcp',
              ...peer,
              port: toModbus.listenPort,
              devices: [{ id: 'tcp-meter', profile: sdm120.id, unitId: 1, pollIntervalS: 0.1 }],
            },
            {
              id: 'bus-converter',
              transport: 'rtu-over-tcp',
              ...peer,
              port: toConverter.listenPort,
              devices: [{ id: 'converter-meter', profile: sdm120.id, unitId: 5, pollIntervalS: 0.1 }],
            },
            {
              id: 'bus-dlt645',
              protocol: 'dlt645',
              transport: 'tcp',
              host: '127.0.0.1',
              port: toDlt645.listenPort,
              timeoutMs: 500,
              devices: [
                { id: 'dlt645-meter', profile: DLT645_PROFILE.id, address: SHOP, pollIntervalS: 0.2 },
              ],
            },
          ],
        },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await Promise.all([modbus.stop(), converter.stop(), dlt645.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('keeps running through the resets and reads every meter again afterwards', async () => {
    await waitFor('readings from every meter', () => DEVICES.every((device) => telemetry(device) >= 2), {
      timeoutMs: 15_000,
    });
    for (const proxy of proxies) proxy.resetting = true;
    await waitFor('each peer reset a few requests', () => proxies.every((proxy) => proxy.resets >= 3), {
      timeoutMs: 15_000,
    });
    const before = DEVICES.map((device) => telemetry(device));
    for (const proxy of proxies) proxy.resetting = false;
    await waitFor(
      'readings from every meter after the resets',
      () => DEVICES.every((device, i) => telemetry(device) >= before[i]! + 2),
      { timeoutMs: 20_000 },
    );
  });

  it('keeps running while the peers refuse connections, and reads every meter again once they listen', async () => {
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    await waitFor(
      'every meter failing to connect',
      () => DEVICES.every((device) => /_CONNECT$/.test(status(device)?.lastError?.code ?? '')),
      { timeoutMs: 15_000 },
    );
    const before = DEVICES.map((device) => telemetry(device));
    await Promise.all(proxies.map((proxy) => proxy.start()));
    await waitFor(
      'readings from every meter once the peers listen again',
      () => DEVICES.every((device, i) => telemetry(device) >= before[i]! + 2),
      { timeoutMs: 20_000 },
    );
  });
});
