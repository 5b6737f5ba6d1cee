import type { z } from 'zod';
import { alertingConfigSchema, ALERTING_ENV } from '../../../alerting/index.js';
import { brokerConfigSchema, brokerEnvMap } from '../../../broker/index.js';
import { BACKUP_ENV, backupConfigSchema, DEPLOY_INIT_ENV, initConfigSchema } from '../../../deploy/index.js';
import { edgeConfigSchema, EDGE_ENV_MAP } from '../../../edge/index.js';
import { simulatorConfigSchema, SIMULATOR_ENV } from '../../../firmware-sim/index.js';
import { ingestConfigSchema, INGEST_ENV_MAP } from '../../../ingest/index.js';
import type { EnvMap } from '../../../runtime/index.js';
import { loadSite } from '../../../site/index.js';
import { reportsConfigSchema, REPORTS_ENV_MAP } from '../../../reports/index.js';

export interface Listener {
  what: string;
  host: string;
  port: number;
  /** Speaks TLS (MQTT over TLS, HTTPS); plain text otherwise. */
  tls?: boolean;
}

export interface Target {
  what: string;
  url: string;
}

/** What the compose checks need to know of one service, read from its effective config. */
export interface ServiceFacts {
  listeners: Listener[];
  /** The port of /healthz and /readyz; none for a one-shot. */
  httpPort?: number;
  /** Other services this one connects to. */
  targets: Target[];
  /** Files it reads at start (container paths). */
  files: string[];
}

/** A service of this repo, known by the entry file its container runs. */
export interface ServiceKind {
  entry: string;
  schema: z.ZodType;
  envMap: EnvMap;
  /** The config file (container path) its command line names, if any. */
  configFile(args: readonly string[]): string | undefined;
  facts(config: unknown): ServiceFacts;
}

function kind<S extends z.ZodType>(spec: {
  entry: string;
  schema: S;
  envMap: EnvMap;
  configFile?: (args: readonly string[]) => string | undefined;
  facts: (config: z.infer<S>) => ServiceFacts;
}): ServiceKind {
  return {
    entry: spec.entry,
    schema: spec.schema,
    envMap: spec.envMap,
    configFile: spec.configFile ?? (() => undefined),
    facts: (config) => spec.facts(config as z.infer<S>),
  };
}

const optionValue = (names: string[]) => (args: readonly string[]) => {
  const at = args.findIndex((arg) => names.includes(arg));
  return at >= 0 ? args[at + 1] : undefined;
};

export const SERVICE_KINDS: readonly ServiceKind[] = [
  kind({
    entry: 'broker/main.ts',
    schema: brokerConfigSchema,
    envMap: brokerEnvMap,
    configFile: optionValue(['--config']),
    facts: (c) => ({
      listeners: [
        ...(c.mqtt.enabled === false ? [] : [{ what: 'mqtt', host: c.mqtt.host, port: c.mqtt.port }]),
        ...(c.tls ? [{ what: 'mqtt over TLS', host: c.tls.host, port: c.tls.port, tls: true }] : []),
        { what: 'http', host: c.http.host, port: c.http.port, tls: c.http.https !== undefined },
      ],
      httpPort: c.http.port,
      targets: [],
      files: [],
    }),
  }),
  kind({
    entry: 'ingest/main.ts',
    schema: ingestConfigSchema,
    envMap: INGEST_ENV_MAP,
    configFile: optionValue(['-c', '--config']),
    facts: (c) => ({
      listeners: [{ what: 'http', host: c.http.host, port: c.http.port, tls: c.http.https !== undefined }],
      httpPort: c.http.port,
      targets: [
        { what: 'mqtt.url', url: c.mqtt.url },
        { what: 'influx.url', url: c.influx.url },
      ],
      files: [...c.siteFiles],
    }),
  }),
  kind({
    entry: 'alerting/main.ts',
    schema: alertingConfigSchema,
    envMap: ALERTING_ENV,
    configFile: (args) => args[0],
    facts: (c) => ({
      listeners: [{ what: 'http', host: c.http.host, port: c.http.port, tls: c.http.https !== undefined }],
      httpPort: c.http.port,
      targets: [
        { what: 'mqtt.url', url: c.mqtt.url },
        ...(c.influx.url ? [{ what: 'influx.url', url: c.influx.url }] : []),
      ],
      files: [...c.sites.files, ...c.rules.files, ...c.rules.overrides],
    }),
  }),
  kind({
    entry: 'reports/main.ts',
    schema: reportsConfigSchema,
    envMap: REPORTS_ENV_MAP,
    configFile: optionValue(['--config']),
    facts: (c) => ({
      listeners: [{ what: 'http', ...c.http }],
      httpPort: c.http.port,
      targets: [{ what: 'influx.url', url: c.influx.url }],
      files: [...c.siteFiles, ...c.ruleFiles],
    }),
  }),
  kind({
    entry: 'firmware-sim/main.ts',
    schema: simulatorConfigSchema,
    envMap: SIMULATOR_ENV,
    facts: (c) => {
      const buses = loadSite(c.siteFile).buses;
      return {
        listeners: [
          { what: 'control', host: c.host, port: c.controlPort },
          ...buses.map((bus, i) => ({ what: `bus ${bus.id}`, host: c.host, port: c.busBasePort + i })),
        ],
        httpPort: c.controlPort,
        targets: c.lanBrokerUrl ? [{ what: 'lanBrokerUrl', url: c.lanBrokerUrl }] : [],
        files: [c.siteFile],
      };
    },
  }),
  kind({
    entry: 'edge/main.ts',
    schema: edgeConfigSchema(),
    envMap: EDGE_ENV_MAP,
    configFile: optionValue(['-c', '--config']),
    facts: (c) => ({
      listeners: [
        { what: 'http', host: c.http.host, port: c.http.port, tls: c.http.https !== undefined },
        ...(c.lan.enabled ? [{ what: 'lan', host: c.lan.host, port: c.lan.port }] : []),
      ],
      httpPort: c.http.port,
      targets: [
        { what: 'upstream.url', url: c.upstream.url },
        ...c.modbus.buses.flatMap((bus) =>
          'host' in bus ? [{ what: `bus ${bus.id}`, url: `tcp://${bus.host}:${bus.port}` }] : [],
        ),
      ],
      files: [],
    }),
  }),
  kind({
    entry: 'deploy/backup/main.ts',
    schema: backupConfigSchema,
    envMap: BACKUP_ENV,
    facts: (c) => ({
      listeners: [{ what: 'http', ...c.http }],
      httpPort: c.http.port,
      targets: [{ what: 'influx.host', url: `tcp://${c.influx.host}` }],
      files: [],
    }),
  }),
  kind({
    // The restore one-shot: the command line with the backup service's settings as defaults.
    entry: 'deploy/cli.ts',
    schema: backupConfigSchema,
    envMap: BACKUP_ENV,
    facts: (c) => ({
      listeners: [],
      targets: [{ what: 'influx.host', url: `tcp://${c.influx.host}` }],
      files: [],
    }),
  }),
  kind({
    entry: 'deploy/init/main.ts',
    schema: initConfigSchema,
    envMap: DEPLOY_INIT_ENV,
    facts: (c) => ({ listeners: [], targets: [], files: [...c.siteFiles] }),
  }),
];

/** Images this repo does not build, and what they listen on inside the container (all plain). */
export const EXTERNAL_LISTENERS: Readonly<Record<string, readonly number[]>> = {
  // 8088: the RPC port `influxd backup` uses.
  influxdb: [8086, 8088],
  'grafana/grafana': [3000],
};

/** The reverse proxy's image; its listeners are the sites of its mounted Caddyfile. */
export const PROXY_IMAGE = 'caddy';
export const CADDYFILE_TARGET = '/etc/caddy/Caddyfile';

/** Variables any service may get besides its env map: read by runtime/logger and by Node itself. */
export const GENERAL_VARIABLES: readonly string[] = ['LOG_LEVEL', 'NODE_ENV', 'NODE_OPTIONS', 'TZ'];
