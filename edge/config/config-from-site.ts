import type { Site } from '../../site/index.js';
import { findProfile } from '../../devices/index.js';
import { edgeConfigSchema, type EdgeConfig, type EdgeConfigInput } from './edge-config-schema.js';

export interface BusEndpoint {
  host: string;
  port: number;
}

export interface UpstreamEndpoint {
  url: string;
  username?: string;
  password?: string;
  clientId?: string;
}

/** Everything of the gateway config that a site file does not say. */
export interface EdgeConfigFromSiteOptions {
  lan?: EdgeConfigInput['lan'];
  http?: EdgeConfigInput['http'];
  dataDir?: string;
  healthIntervalS?: number;
  publish?: EdgeConfigInput['publish'];
  /** Store-and-forward buffer limits (defaults otherwise). */
  buffer?: EdgeConfigInput['buffer'];
  /** Per-transaction timeout for every bus. */
  timeoutMs?: number;
  offlineAfterFailures?: number;
  offlinePollIntervalS?: number;
  logLevel?: EdgeConfig['logLevel'];
}

/**
 * The gateway config for one gateway of a site: its buses (each reached over Modbus
 * TCP at the given endpoint, e.g. a serial server or the simulator) and its MQTT
 * devices. Buses without devices are left out; a bus with devices but no endpoint is
 * an error naming the bus.
 */
export function edgeConfigFromSite(
  site: Site,
  gatewayId: string,
  busEndpoints: ReadonlyMap<string, BusEndpoint> | Readonly<Record<string, BusEndpoint>>,
  upstream: UpstreamEndpoint,
  options: EdgeConfigFromSiteOptions = {},
): EdgeConfig {
  const endpointOf = (busId: string): BusEndpoint | undefined =>
    busEndpoints instanceof Map
      ? busEndpoints.get(busId)
      : (busEndpoints as Readonly<Record<string, BusEndpoint>>)[busId];
  if (!site.gateways.some((g) => g.id === gatewayId)) {
    throw new Error(`site "${site.site.id}" has no gateway "${gatewayId}"`);
  }
  const devices = site.devices.filter((d) => d.gateway === gatewayId);
  const buses = site.buses
    .filter((bus) => bus.gateway === gatewayId)
    .map((bus) => ({ bus, devices: devices.filter((d) => d.bus === bus.id) }))
    .filter(({ devices: onBus }) => onBus.length > 0)
    .map(({ bus, devices: onBus }) => {
      const endpoint = endpointOf(bus.id);
      if (!endpoint) throw new Error(`no endpoint given for bus "${bus.id}" of gateway "${gatewayId}"`);
      return {
        id: bus.id,
        transport: 'tcp' as const,
        host: endpoint.host,
        port: endpoint.port,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        devices: onBus.map((d) => ({
          id: d.id,
          profile: d.profile,
          unitId: d.unitId as number,
          pollIntervalS: d.pollIntervalS,
        })),
      };
    });
  const mqttDevices = devices
    .filter((d) => findProfile(d.profile)?.protocol === 'mqtt' && d.vendorId !== undefined)
    .map((d) => ({ id: d.id, profile: d.profile, vendorId: d.vendorId as string }));

  const input: EdgeConfigInput = {
    site: site.site.id,
    gateway: gatewayId,
    upstream,
    modbus: {
      buses,
      ...(options.offlineAfterFailures !== undefined
        ? { offlineAfterFailures: options.offlineAfterFailures }
        : {}),
      ...(options.offlinePollIntervalS !== undefined
        ? { offlinePollIntervalS: options.offlinePollIntervalS }
        : {}),
    },
    mqttDevices,
    ...(options.lan ? { lan: options.lan } : {}),
    ...(options.http ? { http: options.http } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.healthIntervalS !== undefined ? { healthIntervalS: options.healthIntervalS } : {}),
    ...(options.publish ? { publish: options.publish } : {}),
    ...(options.buffer ? { buffer: options.buffer } : {}),
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
  };
  return edgeConfigSchema.parse(input);
}
