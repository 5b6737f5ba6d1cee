import { edgeConfigFromSite, type EdgeConfig } from '../edge/index.js';
import type { Site } from '../site/index.js';

/** Where, inside the compose network, the demo gateway finds the simulator and the broker. */
export interface ComposeGatewayEndpoints {
  /** The simulator's service name; bus i of the site listens on busBasePort + i. */
  busHost: string;
  busBasePort: number;
  upstreamUrl: string;
  /** Defaults to the gateway id; the password comes from EDGE_UPSTREAM_PASSWORD. */
  upstreamUsername?: string;
  lanPort: number;
  httpPort: number;
  dataDir: string;
}

/** The gateway config as the validated edge sees it (the committed file plus EDGE_UPSTREAM_PASSWORD). */
export function composeGatewayConfig(
  site: Site,
  gatewayId: string,
  endpoints: ComposeGatewayEndpoints,
  password: string,
): EdgeConfig {
  const busEndpoints = Object.fromEntries(
    site.buses.map((bus, i) => [bus.id, { host: endpoints.busHost, port: endpoints.busBasePort + i }]),
  );
  return edgeConfigFromSite(
    site,
    gatewayId,
    busEndpoints,
    { url: endpoints.upstreamUrl, username: endpoints.upstreamUsername ?? gatewayId, password },
    {
      // Inside a container the listeners must face the compose network, not loopback. The
      // demo's simulated devices have no LAN credentials here, so anonymous devices are let
      // in knowingly (the gateway's status page warns); a real village gives each device
      // its own (`edge/cli.ts lan add`).
      lan: { enabled: true, host: '0.0.0.0', port: endpoints.lanPort, allowAnonymous: true },
      http: { host: '0.0.0.0', port: endpoints.httpPort },
      dataDir: endpoints.dataDir,
    },
  );
}

/**
 * The same config as a short file for the repo: only what differs from the edge's
 * defaults, and no password (the container gets it from the environment).
 */
export function composeGatewayFile(config: EdgeConfig): Record<string, unknown> {
  return {
    site: config.site,
    gateway: config.gateway,
    upstream: { url: config.upstream.url, username: config.upstream.username },
    lan: {
      enabled: config.lan.enabled,
      host: config.lan.host,
      port: config.lan.port,
      allowAnonymous: config.lan.allowAnonymous,
    },
    http: config.http,
    dataDir: config.dataDir,
    healthIntervalS: config.healthIntervalS,
    publish: config.publish,
    modbus: {
      buses: config.modbus.buses.map((bus) =>
        bus.protocol === 'modbus' && bus.transport === 'tcp'
          ? {
              id: bus.id,
              transport: bus.transport,
              host: bus.host,
              port: bus.port,
              devices: bus.devices.map((d) => ({
                id: d.id,
                ...(d.name ? { name: d.name } : {}),
                profile: d.profile,
                unitId: d.unitId,
                pollIntervalS: d.pollIntervalS,
                ...(d.maxIntervalS !== undefined ? { maxIntervalS: d.maxIntervalS } : {}),
                ...(d.deadbands ? { deadbands: d.deadbands } : {}),
              })),
            }
          : bus,
      ),
    },
    mqttDevices: config.mqttDevices,
  };
}
