import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryMessageSchema, topics } from '../../contracts/index.js';
import { Dlt645TcpServer } from '../../firmware-sim/index.js';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { DLT645_PROFILE, NOON_CLOCK, simulatedMeter } from './support/dlt645-meters.js';
import { startGateway, tempDir, testConfig, testLogger } from './support/gateway-harness.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { runCli } from '../../test/support/index.js';

const SHOP = '000012345678';
const HALL = '000087654321';

const cli = runCli;

/** DL/T 645 meters behind a transparent TCP→RS-485 converter, as the simulator serves them. */
describe('DL/T 645 meters over TCP (transparent converter)', () => {
  const upstream = new UpstreamBroker();
  const lineOptions = { logger: testLogger, clock: NOON_CLOCK, refreshMs: 3_600_000 };
  const converter = new Dlt645TcpServer(
    { busId: 'bus-dlt645', host: '127.0.0.1', port: 0 },
    { ...lineOptions, meters: [simulatedMeter(SHOP, 3000), simulatedMeter(HALL, 8000)] },
  );
  const lonely = new Dlt645TcpServer(
    { busId: 'bus-one', host: '127.0.0.1', port: 0 },
    { ...lineOptions, meters: [simulatedMeter(SHOP, 3000)] },
  );
  let gateway: Gateway | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const telemetry = (device: string) => topics.telemetry('test-site', 'gw-test', device);

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([converter.start(), lonely.start(), upstream.start()]);
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        modbus: {
          offlinePollIntervalS: 0.3,
          buses: [
            {
              id: 'bus-dlt645',
              protocol: 'dlt645',
              transport: 'tcp',
              host: '127.0.0.1',
              port: converter.endpoint.port,
              timeoutMs: 500,
              devices: [
                { id: 'shop-meter', profile: DLT645_PROFILE.id, address: SHOP, pollIntervalS: 0.2 },
                // A shorter nameplate number is zero-padded.
                { id: 'hall-meter', profile: DLT645_PROFILE.id, address: '87654321', pollIntervalS: 0.2 },
              ],
            },
          ],
        },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([converter.stop(), lonely.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('publishes what both meters served', async () => {
    for (const [device, address] of [
      ['shop-meter', SHOP],
      ['hall-meter', HALL],
    ] as const) {
      const message = await upstream.waitFor(`telemetry of ${device}`, (m) => m.topic === telemetry(device));
      const { values } = telemetryMessageSchema.parse(message.payload);
      expect(values).toEqual(converter.lastServed(address)?.values);
      expect(Object.keys(values)).toHaveLength(DLT645_PROFILE.items.length);
    }
  });

  it('reconnects after the converter drops the connection', async () => {
    const port = converter.endpoint.port;
    await converter.stop();
    await waitFor('a failed poll while the converter is down', () =>
      gateway?.devices().find((d) => d.id === 'shop-meter')?.lastError?.code === 'DLT645_CONNECT'
        ? true
        : undefined,
    );
    const restarted = new Dlt645TcpServer(
      { busId: 'bus-dlt645', host: '127.0.0.1', port },
      { ...lineOptions, meters: [simulatedMeter(SHOP, 3000), simulatedMeter(HALL, 8000)] },
    );
    await restarted.start();
    try {
      const count = upstream.on(telemetry('shop-meter')).length;
      await upstream.waitFor(
        'readings after reconnecting',
        () => upstream.on(telemetry('shop-meter')).length >= count + 2,
        15_000,
      );
    } finally {
      await restarted.stop();
    }
  });

  it('probe prints decoded values with units; scan reads the one meter’s address', async () => {
    const tcp = `127.0.0.1:${lonely.endpoint.port}`;
    const probe = await cli(
      'probe',
      '--protocol',
      'dlt645',
      '--tcp',
      tcp,
      '--address',
      SHOP,
      '--profile',
      DLT645_PROFILE.id,
      '--raw',
    );
    expect(probe.code, probe.out).toBe(0);
    const served = lonely.lastServed(SHOP)?.values ?? {};
    expect(probe.out).toContain(`表地址 meter ${SHOP}`);
    expect(probe.out).toMatch(
      new RegExp(`^voltage_v\\s+${served.voltage_v}\\s+V 伏\\s+02010100\\s+[0-9A-F]{4}$`, 'm'),
    );
    expect(probe.out).toMatch(new RegExp(`^frequency_hz\\s+${served.frequency_hz}\\s+Hz`, 'm'));

    const scan = await cli('scan', '--protocol', 'dlt645', '--tcp', tcp, '--timeout', '500');
    expect(scan.code, scan.out).toBe(0);
    expect(scan.out).toContain(`✔ 应答 answers: 表地址 meter address ${SHOP}`);

    const silent = await cli(
      'probe',
      '--protocol',
      'dlt645',
      '--tcp',
      tcp,
      '--address',
      HALL,
      '--profile',
      DLT645_PROFILE.id,
      '--timeout',
      '200',
    );
    expect(silent.code).toBe(1);
    expect(silent.out).toContain('[DLT645_TIMEOUT]');
  }, 30_000);
});
