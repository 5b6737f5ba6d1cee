import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEMO_SITE_FILE, loadSite, siteSchema } from '../../site/index.js';
import { edgeConfigFromSite, loadEdgeConfig } from '../index.js';
import { tempDir } from './support/gateway-harness.js';

const valid = {
  site: 'demo-village',
  gateway: 'gw-center',
  upstream: { url: 'mqtt://127.0.0.1:1883', username: 'gw-center', password: 'secret' },
  lan: { enabled: true, host: '127.0.0.1', port: 1884 },
  http: { host: '127.0.0.1', port: 9103 },
  dataDir: './data/edge',
  healthIntervalS: 30,
  modbus: {
    buses: [
      {
        id: 'bus-maker-workspace',
        transport: 'tcp',
        host: '127.0.0.1',
        port: 5020,
        timeoutMs: 1000,
        devices: [{ id: 'maker-hall-power', profile: 'chint-dtsu666', unitId: 1, pollIntervalS: 5 }],
      },
    ],
  },
  mqttDevices: [{ id: 'maker-hall-camera', profile: 'frigate-camera', vendorId: 'maker_hall_cam' }],
};

function withDevice(device: Record<string, unknown>) {
  const bus = valid.modbus.buses[0] as (typeof valid.modbus.buses)[0];
  return { ...valid, modbus: { buses: [{ ...bus, devices: [...bus.devices, device] }] } };
}

describe('edge config', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const file = (name: string) => join(dir.path, name);
  const load = async (name: string, content: unknown, env: NodeJS.ProcessEnv = {}) => {
    await writeFile(file(name), stringify(content));
    return loadEdgeConfig({ file: file(name), env });
  };

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it('loads the documented example with defaults filled in, and env overrides', async () => {
    const config = await load('ok.yaml', valid, {
      EDGE_HTTP_PORT: '0',
      EDGE_UPSTREAM_URL: 'mqtts://broker.example:8883',
    });
    expect(config.publish.mode).toBe('batch');
    expect(config.http.port).toBe(0);
    expect(config.upstream.url).toBe('mqtts://broker.example:8883');
    expect(config.modbus.offlineAfterFailures).toBe(3);
    expect(config.lan.users).toBeUndefined();
    expect(Object.isFrozen(config.modbus.buses)).toBe(true);
  });

  it.each([
    [
      'unknown profile',
      withDevice({ id: 'x1', profile: 'no-such-meter', unitId: 2 }),
      'modbus.buses.0.devices.1.profile',
      'unknown profile',
    ],
    [
      'MQTT profile on a bus',
      withDevice({ id: 'x2', profile: 'frigate-camera', unitId: 2 }),
      'modbus.buses.0.devices.1.profile',
      'not a Modbus one',
    ],
    [
      'unit id twice on a bus',
      withDevice({ id: 'x3', profile: 'eastron-sdm120', unitId: 1 }),
      'modbus.buses.0.devices.1.unitId',
      'used twice',
    ],
    [
      'bad device id',
      withDevice({ id: 'Bad_Id', profile: 'eastron-sdm120', unitId: 3 }),
      'modbus.buses.0.devices.1.id',
      'lowercase',
    ],
    ['reserved gateway id', { ...valid, gateway: 'alerts' }, 'gateway', 'reserved'],
    [
      'Modbus profile for an MQTT device',
      { ...valid, mqttDevices: [{ id: 'cam', profile: 'tuf-2000m', vendorId: 'c' }] },
      'mqttDevices.0.profile',
      'not an MQTT one',
    ],
    [
      'duplicate device id',
      { ...valid, mqttDevices: [{ id: 'maker-hall-power', profile: 'frigate-camera', vendorId: 'c' }] },
      'mqttDevices.0.id',
      'also used',
    ],
    [
      'unknown transport',
      { ...valid, modbus: { buses: [{ ...valid.modbus.buses[0], transport: 'carrier-pigeon' }] } },
      'modbus.buses.0.transport',
      '',
    ],
  ])('names the field: %s', async (_name, content, path, message) => {
    await expect(load('bad.yaml', content)).rejects.toThrow(
      new RegExp(
        `CONFIG_INVALID[\\s\\S]*- ${path.replaceAll('.', '\\.')} \\(in .*bad\\.yaml\\): .*${message}`,
      ),
    );
  });

  it('accepts the shipped example config', () => {
    const example = loadEdgeConfig({
      file: new URL('../edge.example.yaml', import.meta.url).pathname,
      env: {},
    });
    expect(example.mqttDevices).toHaveLength(4);
  });

  it('names the environment variable a bad value came from', async () => {
    await expect(load('env.yaml', valid, { EDGE_LAN_PORT: 'eighty' })).rejects.toThrow(
      /lan\.port \(from EDGE_LAN_PORT\)/,
    );
  });

  it('builds a valid config for the demo village gateway', () => {
    const site = loadSite(DEMO_SITE_FILE);
    const endpoints = Object.fromEntries(
      site.buses.map((bus, i) => [bus.id, { host: '127.0.0.1', port: 15020 + i }]),
    );
    const config = edgeConfigFromSite(
      site,
      'gw-center',
      endpoints,
      { url: 'mqtt://127.0.0.1:1883' },
      { http: { port: 0 } },
    );
    const siteDevices = site.devices.filter((d) => d.gateway === 'gw-center');
    const polled = config.modbus.buses.flatMap((b) => b.devices.map((d) => d.id));
    expect(polled.length + config.mqttDevices.length).toBe(siteDevices.length);
    const makerBus = config.modbus.buses.find((b) => b.id === 'bus-maker-workspace');
    expect(makerBus?.transport === 'tcp' ? makerBus.port : undefined).toBe(15020);
    expect(config.mqttDevices.find((d) => d.id === 'maker-hall-camera')?.vendorId).toBe('maker_hall_cam');
    expect(() => edgeConfigFromSite(site, 'gw-center', {}, { url: 'mqtt://127.0.0.1:1883' })).toThrow(
      /no endpoint given for bus/,
    );
  });

  it('takes the uplink settings of the site’s reporting, a device’s own before the site’s', () => {
    const demo = loadSite(DEMO_SITE_FILE);
    const site = siteSchema.parse({
      ...demo,
      reporting: { maxIntervalS: 300, healthIntervalS: 300, batchIntervalS: 60 },
      devices: demo.devices.map((d) =>
        d.id === 'clinic-power' ? { ...d, maxIntervalS: 60, deadbands: { voltage_v: 3 } } : d,
      ),
    });
    const endpoints = Object.fromEntries(site.buses.map((bus) => [bus.id, { host: '127.0.0.1', port: 502 }]));
    const config = edgeConfigFromSite(site, 'gw-center', endpoints, { url: 'mqtt://127.0.0.1:1883' });
    const devices = config.modbus.buses.flatMap(
      (b): Array<{ id: string; maxIntervalS?: number | undefined }> => b.devices,
    );
    expect(config.healthIntervalS).toBe(300);
    expect(config.publish.batchIntervalMs).toBe(60_000);
    expect(devices.find((d) => d.id === 'maker-hall-power')?.maxIntervalS).toBe(300);
    expect(devices.find((d) => d.id === 'clinic-power')).toMatchObject({
      maxIntervalS: 60,
      deadbands: { voltage_v: 3 },
    });
    // The stack's options (tests, benchmarks) still win.
    const shortened = edgeConfigFromSite(
      site,
      'gw-center',
      endpoints,
      { url: 'mqtt://127.0.0.1:1883' },
      { healthIntervalS: 2, publish: { batchIntervalMs: 200 } },
    );
    expect([shortened.healthIntervalS, shortened.publish.batchIntervalMs]).toEqual([2, 200]);
  });
});
