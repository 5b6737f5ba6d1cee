import ModbusModule from 'modbus-serial';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { pino } from 'pino';
import { RegisterImage, planReads, type ModbusProfile } from '../../devices/index.js';
import { SiteRegistry, siteSchema } from '../../site/index.js';
import { simulatorConfigSchema, type SimulatorConfig, type SimulatorConfigInput } from '../config.js';

/** modbus-serial is CommonJS whose default export is the client class; its typings describe it as a namespace. */
const ModbusClient = ModbusModule as unknown as new () => ModbusRTU;

export const silentLogger = pino({ level: 'silent' });

export function testConfig(overrides: SimulatorConfigInput = {}): SimulatorConfig {
  return simulatorConfigSchema.parse({ controlPort: 0, imageRefreshMs: 60_000, ...overrides });
}

export interface TestDevice {
  id: string;
  profile: string;
  zone?: 'zone-a' | 'zone-b';
  unitId?: number;
  vendorId?: string;
  simulation?: Record<string, number>;
}

/** A two-zone site with one bus per zone, holding just the devices a test needs. */
export function testSite(devices: readonly TestDevice[]): SiteRegistry {
  const zone = (id: string, kind: string) => ({
    id,
    kind,
    name: id,
    name_en: id,
    buildings: [{ id: `${id}-building`, name: id, name_en: id }],
  });
  return new SiteRegistry(
    siteSchema.parse({
      version: 1,
      site: { id: 'test-village', name: '测试村', name_en: 'Test village' },
      zones: [zone('zone-a', 'dining'), zone('zone-b', 'maker_workspace')],
      gateways: [{ id: 'gw-test', name: 'gateway' }],
      buses: [
        { id: 'bus-zone-a', gateway: 'gw-test' },
        { id: 'bus-zone-b', gateway: 'gw-test' },
      ],
      devices: devices.map((d) => {
        const zoneId = d.zone ?? 'zone-a';
        return {
          id: d.id,
          name: d.id,
          profile: d.profile,
          zone: zoneId,
          building: `${zoneId}-building`,
          gateway: 'gw-test',
          ...(d.unitId === undefined ? {} : { bus: `bus-${zoneId}`, unitId: d.unitId }),
          ...(d.vendorId === undefined ? {} : { vendorId: d.vendorId }),
          simulation: d.simulation ?? {},
        };
      }),
    }),
  );
}

export async function modbusClient(port: number, timeoutMs = 500): Promise<ModbusRTU> {
  const client = new ModbusClient();
  await client.connectTCP('127.0.0.1', { port });
  client.setTimeout(timeoutMs);
  return client;
}

export function closeClient(client: ModbusRTU): Promise<void> {
  return new Promise((resolve) => client.close(() => resolve()));
}

/** Reads a device the way the gateway does: the profile's planned blocks, into one register image. */
export async function readDevice(
  client: ModbusRTU,
  unitId: number,
  profile: ModbusProfile,
): Promise<RegisterImage> {
  client.setID(unitId);
  const blocks = [];
  for (const block of planReads(profile)) {
    const result =
      block.table === 'holding'
        ? await client.readHoldingRegisters(block.start, block.count)
        : await client.readInputRegisters(block.start, block.count);
    blocks.push({ block, words: result.data });
  }
  return RegisterImage.fromBlocks(blocks);
}
