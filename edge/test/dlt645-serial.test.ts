import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventMessageSchema, telemetryMessageSchema, topics } from '../../contracts/index.js';
import { Dlt645Line, startPtyPair, type MeterMode, type PtyPair } from '../../firmware-sim/index.js';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { DLT645_PROFILE, NOON_CLOCK, REFUSING_PROFILE, simulatedMeter } from './support/dlt645-meters.js';
import { startGateway, tempDir, testConfig, testLogger } from './support/gateway-harness.js';
import { UpstreamBroker } from './support/upstream-broker.js';

const SHOP = '000012345678';
const HALL = '000087654321';
const GHOST = '000011112222';
const NOISY = '000033334444';
const REFUSING = '000055556666';

/**
 * The gateway polls DL/T 645 meters on a real pseudo-terminal pair (socat) at 2400 8E1;
 * the simulator's Dlt645Line serves them on the other end.
 */
describe('DL/T 645 meters on a serial line', () => {
  const upstream = new UpstreamBroker();
  const modes = new Map<string, MeterMode>([[NOISY, 'garbage']]);
  let pty: PtyPair | undefined;
  let line: Dlt645Line | undefined;
  let gateway: Gateway | undefined;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const telemetry = (device: string) => topics.telemetry('test-site', 'gw-test', device);
  const status = (device: string) => gateway?.devices().find((d) => d.id === device);

  beforeAll(async () => {
    dir = await tempDir();
    pty = await startPtyPair();
    line = new Dlt645Line({
      meters: [
        simulatedMeter(SHOP, 3000),
        simulatedMeter(HALL, 8000),
        simulatedMeter(NOISY, 2000),
        simulatedMeter(REFUSING, 2000, REFUSING_PROFILE),
      ],
      line: { path: pty.a, serial: DLT645_PROFILE.serial },
      logger: testLogger,
      clock: NOON_CLOCK,
      refreshMs: 3_600_000,
      mode: (address) => modes.get(address) ?? 'normal',
    });
    await Promise.all([line.start(), upstream.start()]);
    const meter = (id: string, address: string) => ({
      id,
      profile: DLT645_PROFILE.id,
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
              id: 'bus-dlt645',
              protocol: 'dlt645',
              path: pty.b,
              timeoutMs: 300,
              retries: 0,
              devices: [
                meter('shop-meter', SHOP),
                meter('hall-meter', HALL),
                meter('ghost-meter', GHOST),
                meter('noisy-meter', NOISY),
                meter('refusing-meter', REFUSING),
              ],
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
    await upstream.stop();
    await dir?.remove();
  });

  it('is configured as the common meter default, 2400 baud 8E1', () => {
    const bus = testConfig('mqtt://127.0.0.1:1', '/tmp/x', {
      modbus: { buses: [{ id: 'b', protocol: 'dlt645', path: '/dev/ttyUSB0' }] },
    }).modbus.buses[0];
    expect(bus).toMatchObject({ protocol: 'dlt645', transport: 'serial', baudRate: 2400, parity: 'even' });
  });

  it('publishes upstream exactly what each of the two meters served', async () => {
    for (const [device, address] of [
      ['shop-meter', SHOP],
      ['hall-meter', HALL],
    ] as const) {
      const message = await upstream.waitFor(`telemetry of ${device}`, (m) => m.topic === telemetry(device));
      const { values } = telemetryMessageSchema.parse(message.payload);
      const served = line?.lastServed(address)?.values;
      expect(Object.keys(values).sort()).toEqual(DLT645_PROFILE.items.map((i) => i.field).sort());
      expect(values).toEqual(served);
      expect(values.voltage_v).toBeGreaterThan(220);
      expect(values.frequency_hz).toBeGreaterThan(49.5);
    }
    const shop = upstream.on(telemetry('shop-meter'))[0]?.payload.values as Record<string, number>;
    const hall = upstream.on(telemetry('hall-meter'))[0]?.payload.values as Record<string, number>;
    expect(hall.active_power_kw).toBeGreaterThan(shop.active_power_kw as number);
    expect(status('shop-meter')).toMatchObject({ protocol: 'dlt645', bus: 'bus-dlt645', online: true });
  });

  it('reports a silent meter address offline while the other meters keep publishing', async () => {
    const events = topics.event('test-site', 'gw-test', 'ghost-meter');
    const offline = await upstream.waitFor('ghost offline', (m) => m.topic === events);
    const event = eventMessageSchema.parse(offline.payload);
    expect(event.type).toBe('device_offline');
    expect(event.data.code).toBe('DLT645_TIMEOUT');
    expect(String(event.data.message)).toContain(`meter ${GHOST}`);
    const before = upstream.on(telemetry('shop-meter')).length;
    await upstream.waitFor(
      'shop keeps publishing',
      () => upstream.on(telemetry('shop-meter')).length >= before + 3,
    );
    expect(upstream.on(telemetry('ghost-meter'))).toHaveLength(0);
    expect(status('ghost-meter')).toMatchObject({ online: false, lastError: { code: 'DLT645_TIMEOUT' } });
  });

  it('reports a meter answering garbage as a device error, not as offline', async () => {
    await waitFor('noisy meter errors', () =>
      (status('noisy-meter')?.errorCount ?? 0) >= 3 ? true : undefined,
    );
    const noisy = status('noisy-meter');
    expect(noisy?.lastError?.code).toBe('DLT645_BAD_FRAME');
    expect(noisy?.lastError?.message).toMatch(/BCD/);
    expect(noisy?.successCount).toBe(0);
    expect(noisy?.online).not.toBe(false);
    expect(upstream.on(telemetry('noisy-meter'))).toHaveLength(0);
    await upstream.waitFor(
      'device_error from the noisy meter',
      (m) => m.topic === topics.event('test-site', 'gw-test', 'noisy-meter'),
    );
    const events = upstream
      .on(topics.event('test-site', 'gw-test', 'noisy-meter'))
      .map((m) => eventMessageSchema.parse(m.payload));
    expect(events.map((e) => [e.type, e.data.code])).toEqual([['device_error', 'DLT645_BAD_FRAME']]);
  });

  it('maps error replies (D1) to DLT645_ERROR_REPLY', async () => {
    await waitFor('refusals', () => ((status('refusing-meter')?.errorCount ?? 0) >= 2 ? true : undefined));
    expect(status('refusing-meter')?.lastError).toMatchObject({ code: 'DLT645_ERROR_REPLY' });
    expect(status('refusing-meter')?.lastError?.message).toContain('no such data');
    expect(status('refusing-meter')?.online).not.toBe(false);
  });
});
