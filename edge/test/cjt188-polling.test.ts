import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventMessageSchema, telemetryMessageSchema, topics } from '../../contracts/index.js';
import {
  Cjt188Line,
  Cjt188TcpServer,
  startPtyPair,
  type MeterMode,
  type PtyPair,
} from '../../firmware-sim/index.js';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { CJT188_PROFILE, simulatedWaterMeter } from './support/cjt188-meters.js';
import { NOON_CLOCK } from './support/dlt645-meters.js';
import { startGateway, tempDir, testConfig, testLogger } from './support/gateway-harness.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { runCli } from '../../test/support/index.js';

const KITCHEN = '00000020250001';
const CLINIC = '00000020250002';
const GHOST = '00000020259999';
const NOISY = '00000020250003';
const FIELDS = CJT188_PROFILE.items.map((i) => i.field).sort();

/**
 * The gateway polls CJ/T 188 water meters on a real pseudo-terminal pair (socat) at
 * 2400 8E1, and behind a transparent TCP converter; the simulator's Cjt188Line serves them.
 */
describe('CJ/T 188 water meters', () => {
  const upstream = new UpstreamBroker();
  const modes = new Map<string, MeterMode>([[NOISY, 'garbage']]);
  const lineOptions = { logger: testLogger, clock: NOON_CLOCK, refreshMs: 3_600_000 };
  const converter = new Cjt188TcpServer(
    { busId: 'bus-tcp', host: '127.0.0.1', port: 0 },
    { ...lineOptions, meters: [simulatedWaterMeter(CLINIC, { valve: 1, batteryLow: false })] },
  );
  let pty: PtyPair | undefined;
  let line: Cjt188Line | undefined;
  let gateway: Gateway | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const telemetry = (device: string) => topics.telemetry('test-site', 'gw-test', device);
  const status = (device: string) => gateway?.devices().find((d) => d.id === device);

  beforeAll(async () => {
    dir = await tempDir();
    pty = await startPtyPair();
    line = new Cjt188Line({
      ...lineOptions,
      meters: [simulatedWaterMeter(KITCHEN, { valve: 0, batteryLow: true }), simulatedWaterMeter(NOISY)],
      line: { path: pty.a, serial: CJT188_PROFILE.serial },
      mode: (address) => modes.get(address) ?? 'normal',
    });
    await Promise.all([line.start(), converter.start(), upstream.start()]);
    const meter = (id: string, address: string) => ({
      id,
      profile: CJT188_PROFILE.id,
      address,
      pollIntervalS: 0.2,
    });
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        modbus: {
          offlineAfterFailures: 2,
          offlinePollIntervalS: 0.5,
          buses: [
            {
              id: 'bus-water',
              protocol: 'cjt188',
              path: pty.b,
              timeoutMs: 300,
              retries: 0,
              devices: [
                meter('kitchen-water', KITCHEN),
                meter('ghost-water', GHOST),
                meter('noisy-water', NOISY),
              ],
            },
            {
              id: 'bus-tcp',
              protocol: 'cjt188',
              transport: 'tcp',
              host: '127.0.0.1',
              port: converter.endpoint.port,
              timeoutMs: 500,
              // A shorter number is zero-padded to the 14 digits.
              devices: [meter('clinic-water', '20250002')],
            },
          ],
        },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await line?.stop();
    await pty?.stop();
    await Promise.all([converter.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('is configured as the common meter default, 2400 baud 8E1, and refuses a 15-digit address', () => {
    const bus = testConfig('mqtt://127.0.0.1:1', '/tmp/x', {
      modbus: { buses: [{ id: 'b', protocol: 'cjt188', path: '/dev/ttyUSB0' }] },
    }).modbus.buses[0];
    expect(bus).toMatchObject({ protocol: 'cjt188', transport: 'serial', baudRate: 2400, parity: 'even' });
    expect(() =>
      testConfig('mqtt://127.0.0.1:1', '/tmp/x', {
        modbus: {
          buses: [
            {
              id: 'b',
              protocol: 'cjt188',
              path: '/dev/ttyUSB0',
              devices: [{ id: 'w', profile: CJT188_PROFILE.id, address: '123456789012345' }],
            },
          ],
        },
      }),
    ).toThrow(/14-digit/);
  });

  it('publishes upstream what each meter served, valve and battery bits included', async () => {
    for (const [device, address, source] of [
      ['kitchen-water', KITCHEN, line],
      ['clinic-water', CLINIC, converter],
    ] as const) {
      const message = await upstream.waitFor(`telemetry of ${device}`, (m) => m.topic === telemetry(device));
      const { values } = telemetryMessageSchema.parse(message.payload);
      expect(Object.keys(values).sort()).toEqual(FIELDS);
      expect(values).toEqual(source?.lastServed(address)?.values);
      expect(values.forward_total_m3).toBeGreaterThan(100);
    }
    const kitchen = upstream.on(telemetry('kitchen-water'))[0]?.payload.values as Record<string, number>;
    const clinic = upstream.on(telemetry('clinic-water'))[0]?.payload.values as Record<string, number>;
    expect(kitchen).toMatchObject({ valve_state_code: 0, battery_low_code: 1 });
    expect(clinic).toMatchObject({ valve_state_code: 1, battery_low_code: 0 });
    expect(status('kitchen-water')).toMatchObject({ protocol: 'cjt188', bus: 'bus-water', online: true });
  });

  it('reports a silent meter address offline while the others keep publishing', async () => {
    const offline = await upstream.waitFor(
      'ghost offline',
      (m) => m.topic === topics.event('test-site', 'gw-test', 'ghost-water'),
    );
    const event = eventMessageSchema.parse(offline.payload);
    expect(event.type).toBe('device_offline');
    expect(event.data.code).toBe('CJT188_TIMEOUT');
    expect(String(event.data.message)).toContain(`meter ${GHOST}`);
    const before = upstream.on(telemetry('kitchen-water')).length;
    await upstream.waitFor(
      'kitchen keeps publishing',
      () => upstream.on(telemetry('kitchen-water')).length >= before + 3,
    );
    expect(upstream.on(telemetry('ghost-water'))).toHaveLength(0);
  });

  it('counts a meter answering garbage as errors, not as offline', async () => {
    await waitFor('noisy meter errors', () =>
      (status('noisy-water')?.errorCount ?? 0) >= 3 ? true : undefined,
    );
    const noisy = status('noisy-water');
    expect(noisy?.lastError?.code).toBe('CJT188_BAD_FRAME');
    expect(noisy?.lastError?.message).toMatch(/CJT188_NOT_BCD/);
    expect(noisy?.successCount).toBe(0);
    expect(noisy?.online).not.toBe(false);
    expect(upstream.on(telemetry('noisy-water'))).toHaveLength(0);
  });

  it('probe reads one water meter by its address: values with units, status and the meter clock', async () => {
    const tcp = `127.0.0.1:${converter.endpoint.port}`;
    const args = ['probe', '--protocol', 'cjt188', '--tcp', tcp, '--profile', CJT188_PROFILE.id];
    const probe = await runCli(...args, '--address', '20250002', '--raw');
    expect(probe.code, probe.out).toBe(0);
    const served = converter.lastServed(CLINIC)?.values ?? {};
    expect(probe.out).toContain(`表地址 meter ${CLINIC}`);
    expect(probe.out).toMatch(
      new RegExp(
        `^forward_total_m3\\s+${served.forward_total_m3}\\s+m³ 立方米\\s+901F 当前累积流量\\s+[0-9A-F]{38}$`,
        'm',
      ),
    );
    expect(probe.out).toMatch(/^valve_state_code\s+1\s+901F 阀门状态/m);
    expect(probe.out).toMatch(/^表内时钟 Meter clock: 2025-06-10 14:00:00$/m);

    const silent = await runCli(...args, '--address', GHOST, '--timeout', '200');
    expect(silent.code).toBe(1);
    expect(silent.out).toContain('[CJT188_TIMEOUT] CJ/T 188 水表无应答');
  }, 30_000);
});
