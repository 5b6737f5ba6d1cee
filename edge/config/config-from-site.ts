import { maxIntervalOf, type Site } from '../../site/index.js';
import { findProfile } from '../../devices/index.js';
import { edgeConfigSchema, type EdgeConfig, type EdgeConfigInput } from './edge-config-schema.js';

/** Where the gateway reaches a bus: a TCP host (Modbus TCP, or a transparent converter for DL/T 645)… */
export interface TcpBusEndpoint {
  host: string;
  port: number;
}

/** …or a local serial port (RS-485 adapter); line settings default per protocol. */
export interface SerialBusEndpoint {
  path: string;
  baudRate?: number;
  parity?: 'none' | 'even' | 'odd';
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
}

export type BusEndpoint = TcpBusEndpoint | SerialBusEndpoint;

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
  /** Overrides the site's `reporting.healthIntervalS`. */
  healthIntervalS?: number;
  /** Overrides the site's `reporting.batchIntervalS`. */
  publish?: EdgeConfigInput['publish'];
  /** Store-and-forward buffer limits (defaults otherwise). */
  buffer?: EdgeConfigInput['buffer'];
  /** Per-transaction timeout for every bus. */
  timeoutMs?: number;
  offlineAfterFailures?: number;
  offlinePollIntervalS?: number;
  logLevel?: EdgeConfig['logLevel'];
  /** The platform's gateway API (what it refused, its clock). */
  platform?: EdgeConfigInput['platform'];
}

/**
 * The gateway config for one gateway of a site: its buses and its MQTT devices. A
 * Modbus bus with a host endpoint is reached over Modbus TCP (a serial server or the
 * simulator), with a serial endpoint as RTU; a DL/T 645 bus (`protocol: dlt645`) is
 * reached over a transparent TCP converter or a serial port. Buses without devices are left out; a bus with devices but no endpoint is
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
      const timeout = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
      if (bus.protocol !== 'modbus') {
        return {
          id: bus.id,
          protocol: bus.protocol,
          ...('path' in endpoint
            ? { transport: 'serial' as const, ...endpoint }
            : { transport: 'tcp' as const, host: endpoint.host, port: endpoint.port }),
          ...timeout,
          devices: onBus.map((d) => ({
            id: d.id,
            name: d.name,
            profile: d.profile,
            address: d.meterAddress as string,
            pollIntervalS: d.pollIntervalS,
            ...reportingOf(site, d),
          })),
        };
      }
      return {
        id: bus.id,
        ...('path' in endpoint
          ? { transport: 'rtu' as const, ...endpoint }
          : { transport: 'tcp' as const, host: endpoint.host, port: endpoint.port }),
        ...timeout,
        devices: onBus.map((d) => ({
          id: d.id,
          name: d.name,
          profile: d.profile,
          unitId: d.unitId as number,
          pollIntervalS: d.pollIntervalS,
          ...reportingOf(site, d),
        })),
      };
    });
  const mqttDevices = devices
    .filter((d) => findProfile(d.profile)?.protocol === 'mqtt' && d.vendorId !== undefined)
    .map((d) => ({
      id: d.id,
      name: d.name,
      profile: d.profile,
      vendorId: d.vendorId as string,
      ...(d.heartbeatS !== undefined ? { heartbeatS: d.heartbeatS } : {}),
    }));

  const healthIntervalS = options.healthIntervalS ?? site.reporting.healthIntervalS;
  const { batchIntervalS, batchEncoding } = site.reporting;
  const publish =
    batchIntervalS === undefined && batchEncoding === undefined
      ? options.publish
      : {
          ...(batchIntervalS !== undefined ? { batchIntervalMs: Math.round(batchIntervalS * 1000) } : {}),
          ...(batchEncoding !== undefined ? { batchEncoding } : {}),
          ...options.publish,
        };
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
    ...(healthIntervalS !== undefined ? { healthIntervalS } : {}),
    ...(publish ? { publish } : {}),
    ...(options.buffer ? { buffer: options.buffer } : {}),
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
  };
  return edgeConfigSchema().parse(input);
}

/** A polled device's report-by-exception settings, as the site gives them. */
function reportingOf(
  site: Site,
  device: Site['devices'][number],
): { maxIntervalS?: number; deadbands?: Record<string, number> } {
  const maxIntervalS = maxIntervalOf(site, device);
  return {
    ...(maxIntervalS !== undefined ? { maxIntervalS } : {}),
    ...(device.deadbands ? { deadbands: device.deadbands } : {}),
  };
}
