import { describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE, loadSite, siteSchema } from '../../site/index.js';
import { edgeConfigFromSite, edgeConfigSchema } from '../index.js';

const base = { site: 'test-site', gateway: 'gw-test', upstream: { url: 'mqtt://127.0.0.1:1883' } };
const meter = (id: string, address: unknown, profile = 'dlt645-single-phase') => ({ id, profile, address });

function issues(buses: unknown[]): string[] {
  const result = edgeConfigSchema().safeParse({ ...base, modbus: { buses } });
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('DL/T 645 bus config', () => {
  it('defaults a serial line to 2400 8E1 and keeps Modbus buses Modbus', () => {
    const config = edgeConfigSchema().parse({
      ...base,
      modbus: {
        buses: [
          { id: 'bus-meters', protocol: 'dlt645', path: '/dev/ttyUSB1', devices: [meter('m1', '1234')] },
          { id: 'bus-modbus', transport: 'tcp', host: '127.0.0.1' },
        ],
      },
    });
    expect(config.modbus.buses[0]).toMatchObject({
      protocol: 'dlt645',
      transport: 'serial',
      baudRate: 2400,
      parity: 'even',
      dataBits: 8,
      stopBits: 1,
      timeoutMs: 1500,
      devices: [{ id: 'm1', address: '000000001234', pollIntervalS: 10 }],
    });
    expect(config.modbus.buses[1]).toMatchObject({ protocol: 'modbus', transport: 'tcp', port: 502 });
  });

  it('names the field of a bad address, a duplicate one, a Modbus profile and a missing port', () => {
    expect(
      issues([
        {
          id: 'bus-meters',
          protocol: 'dlt645',
          path: '/dev/ttyUSB1',
          devices: [
            meter('m1', '00001234567X'),
            meter('m2', '000012345678'),
            meter('m3', 12345678),
            meter('m4', '1', 'eastron-sdm120'),
          ],
        },
      ]),
    ).toEqual([
      'modbus.buses.0.devices.0.address: must be the 12-digit meter address (digits only)',
      // 12345678 is 000012345678 zero-padded.
      'modbus.buses.0.devices.2.address: meter address 000012345678 is used twice on bus "bus-meters"',
      'modbus.buses.0.devices.3.profile: profile "eastron-sdm120" is a modbus profile, not a DL/T 645 one',
    ]);
    const noPort = issues([{ id: 'bus-tcp', protocol: 'dlt645', transport: 'tcp', host: '10.0.0.9' }]);
    expect(noPort).toHaveLength(1);
    expect(noPort[0]).toMatch(/^modbus\.buses\.0\.port: /);
    expect(issues([{ id: 'b', protocol: 'dl645', path: '/dev/x' }])[0]).toMatch(
      /^modbus\.buses\.0\.protocol: /,
    );
  });
});

describe('edgeConfigFromSite with DL/T 645 meters', () => {
  const demo = loadSite(DEMO_SITE_FILE);
  const gateway = demo.gateways[0]!.id;
  const template = demo.devices.find((d) => d.bus)!;
  const site = siteSchema.parse({
    ...demo,
    buses: [
      ...demo.buses,
      { id: 'bus-meters', gateway, protocol: 'dlt645' },
      { id: 'bus-meters-2', gateway, protocol: 'dlt645' },
    ],
    devices: [
      ...demo.devices,
      {
        ...template,
        id: 'shop-meter',
        profile: 'dlt645-single-phase',
        bus: 'bus-meters',
        unitId: undefined,
        meterAddress: '000012345678',
      },
      {
        ...template,
        id: 'hall-meter',
        profile: 'dlt645-single-phase',
        bus: 'bus-meters-2',
        unitId: undefined,
        meterAddress: '000087654321',
      },
    ],
  });
  const endpoints = Object.fromEntries(
    site.buses.map((bus, i) => [bus.id, { host: '127.0.0.1', port: 20_000 + i }]),
  );

  it('emits a DL/T 645 bus at a TCP endpoint or a serial port', () => {
    const config = edgeConfigFromSite(
      site,
      gateway,
      { ...endpoints, 'bus-meters-2': { path: '/dev/ttyUSB3', baudRate: 1200 } },
      { url: 'mqtt://127.0.0.1:1883' },
    );
    const tcp = config.modbus.buses.find((b) => b.id === 'bus-meters');
    expect(tcp).toMatchObject({
      protocol: 'dlt645',
      transport: 'tcp',
      host: '127.0.0.1',
      port: endpoints['bus-meters']!.port,
      devices: [{ id: 'shop-meter', profile: 'dlt645-single-phase', address: '000012345678' }],
    });
    expect(config.modbus.buses.find((b) => b.id === 'bus-meters-2')).toMatchObject({
      protocol: 'dlt645',
      transport: 'serial',
      path: '/dev/ttyUSB3',
      baudRate: 1200,
      parity: 'even',
      devices: [{ id: 'hall-meter', address: '000087654321' }],
    });
    expect(config.modbus.buses.find((b) => b.id === template.bus)).toMatchObject({
      protocol: 'modbus',
      transport: 'tcp',
    });
  });
});
