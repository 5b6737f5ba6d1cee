import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fillSecrets } from '../../deploy/index.js';
import { INGEST_PROCESS_ENV } from '../../ingest/index.js';
import {
  COMPOSE_FILE,
  composeReferences,
  ENV_EXAMPLE_FILE,
  environmentOf,
  activeServices,
  loadCompose,
  operatorEnv,
  portsOf,
  parseEnvFile,
  type ComposeFile,
  type ComposeService,
} from './support/compose-file.js';
import { checkCompose } from './support/compose-rules.js';

const exampleText = readFileSync(ENV_EXAMPLE_FILE, 'utf8');
/** What an operator's .env looks like after `deploy/cli.ts env` and setting the server's address. */
const sampleEnv = operatorEnv(exampleText, fillSecrets);
const compose = loadCompose(sampleEnv);

function service(file: ComposeFile, name: string): ComposeService {
  const found = file.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

describe('docker-compose.yml', () => {
  it('starts the platform by default, and the simulated village only with the demo profile', () => {
    const platform = [
      'alerting',
      'backup',
      'broker',
      'grafana',
      'influxdb',
      'ingest',
      'init',
      'proxy',
      'reports',
    ];
    expect(activeServices(compose).sort()).toEqual(platform);
    expect(activeServices(compose, ['demo']).sort()).toEqual([...platform, 'edge', 'simulator'].sort());
  });

  it('starts ingest with the young generation it is measured with (ingest/process-env.ts)', () => {
    expect(environmentOf(service(compose, 'ingest')).NODE_OPTIONS).toBe(INGEST_PROCESS_ENV.NODE_OPTIONS);
  });

  it('faces the network only in TLS: MQTT on 8883, the operators page on 443, Grafana on 3000', () => {
    const exposed = Object.entries(compose.services).flatMap(([name, s]) =>
      portsOf(s)
        .filter((p) => !p.hostIp.startsWith('127.'))
        .map((p) => `${name}:${p.container}`),
    );
    expect(exposed.sort()).toEqual(['broker:8883', 'proxy:3000', 'proxy:443']);
    expect(portsOf(service(compose, 'broker')).find((p) => p.container === 1883)?.hostIp).toBe('127.0.0.1');
  });

  it('publishes plain MQTT beyond loopback only when .env asks for it', () => {
    const asked = loadCompose({ ...sampleEnv, MQTT_PLAIN_BIND: '0.0.0.0' });
    expect(checkCompose(asked)).toContainEqual(
      '[plaintext-stays-local] broker: mqtt (container port 1883) is plain text, published on 0.0.0.0',
    );
  });

  it('breaks none of the rules: entries, variables, required settings, ports, volumes, images, health', () => {
    expect(checkCompose(compose)).toEqual([]);
  });

  it('connects ingest and the gateway to the broker by service name and MQTT port', () => {
    expect(environmentOf(service(compose, 'ingest')).INGEST_MQTT_URL).toBe('mqtt://broker:1883');
    expect(environmentOf(service(compose, 'broker')).BROKER_MQTT_PORT).toBe('1883');
  });

  it('takes its secrets from .env and names each one in deploy/env.example', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    const declared = Object.keys(parseEnvFile(exampleText));
    const references = composeReferences(text);
    const undeclared = references.filter((r) => !r.hasDefault && !declared.includes(r.name));
    expect(undeclared).toEqual([]);
    const unused = declared.filter((name) => !references.some((r) => r.name === name));
    expect(unused).toEqual([]);
    expect(environmentOf(service(compose, 'ingest')).INGEST_MQTT_PASSWORD).toBe(
      sampleEnv.INGEST_MQTT_PASSWORD,
    );
  });

  it('refuses to start while a secret in .env is empty', () => {
    const empty = parseEnvFile(exampleText);
    expect(() => loadCompose(empty)).toThrow(/GRAFANA_ADMIN_PASSWORD|MQTT_PASSWORD|API_TOKEN/);
  });
});

type Mutation = (file: ComposeFile) => void;

const env = (file: ComposeFile, name: string) => service(file, name).environment as Record<string, string>;

/** Each mutation breaks one rule; the check must name it. */
const MUTATIONS: Array<[string, Mutation, RegExp]> = [
  [
    'an entry file that does not exist',
    (f) => (service(f, 'broker').command = ['node', '--import', 'tsx', 'broker/missing.ts']),
    /\[entry-files\] broker: .*broker\/missing\.ts/,
  ],
  [
    'a built entry whose source does not exist',
    (f) => (service(f, 'broker').command = ['node', 'dist/broker/missing.js']),
    /\[entry-files\] broker: .*broker\/missing\.ts/,
  ],
  [
    'a built entry the build does not emit',
    (f) => (service(f, 'broker').command = ['node', 'dist/bench/soak.js']),
    /\[entry-files\] broker: dist\/bench\/soak\.js is not built/,
  ],
  [
    'an npm script that does not exist',
    (f) => (service(f, 'broker').command = ['npm', 'run', 'no-such-script']),
    /\[entry-files\] broker: npm script "no-such-script" does not exist/,
  ],
  [
    'a variable the service does not read',
    (f) => (env(f, 'broker').BROKER_MQTT_PORTT = '1883'),
    /\[environment-names\] broker: BROKER_MQTT_PORTT is not read/,
  ],
  [
    'a required setting left out',
    (f) => delete env(f, 'alerting').ALERTING_API_TOKEN,
    /\[required-settings\] alerting: required setting "api"/,
  ],
  [
    'a value the schema rejects',
    (f) => (env(f, 'ingest').INGEST_HTTP_PORT = 'ninety'),
    /\[config-loads\] ingest: [\s\S]*http\.port \(from INGEST_HTTP_PORT\)/,
  ],
  [
    'a listener on loopback only',
    (f) => delete env(f, 'ingest').INGEST_HTTP_HOST,
    /\[listeners-face-network\] ingest: http listens on 127\.0\.0\.1/,
  ],
  [
    'a published port nobody listens on',
    (f) => (service(f, 'ingest').ports = ['127.0.0.1:9102:9999']),
    /\[published-ports\] ingest: publishes container port 9999/,
  ],
  [
    'a URL with the wrong port',
    (f) => (env(f, 'ingest').INGEST_MQTT_URL = 'mqtt://broker:1884'),
    /\[targets-resolve\] ingest: mqtt\.url uses port 1884, but broker listens on 1883, 8883, 9101/,
  ],
  [
    'a URL to a service that does not exist',
    (f) => (env(f, 'alerting').INFLUX_URL = 'http://influx:8086'),
    /\[targets-resolve\] alerting: influx\.url points at "influx"/,
  ],
  [
    'a bus port the simulator does not serve',
    (f) => (env(f, 'simulator').SIM_BUS_BASE_PORT = '6020'),
    /\[targets-resolve\] edge: bus bus-maker-workspace uses port 5020/,
  ],
  [
    'a long-running service without a healthcheck',
    (f) => delete service(f, 'ingest').healthcheck,
    /\[healthchecks\] ingest: a long-running service without a healthcheck/,
  ],
  [
    'a healthcheck on the wrong port',
    (f) => {
      const check = service(f, 'alerting').healthcheck as { test: string[] };
      check.test = check.test.map((part) => part.replace('9105', '9102'));
    },
    /\[healthchecks\] alerting: the healthcheck asks port 9102/,
  ],
  [
    'waiting for a service without a healthcheck to be healthy',
    (f) => {
      delete service(f, 'edge').healthcheck;
      service(f, 'simulator').depends_on = { edge: { condition: 'service_healthy' } };
    },
    /\[dependencies\] simulator: waits for edge to be healthy/,
  ],
  [
    'an undeclared volume',
    (f) => (service(f, 'ingest').volumes = ['ingest-dataa:/data/ingest']),
    /\[volumes\] ingest: volume "ingest-dataa" is not declared/,
  ],
  [
    'a bind mount of a path missing from the repo',
    (f) =>
      (service(f, 'edge').volumes = [
        'edge-data:/data/edge',
        './deploy/config/nope.yaml:/etc/village/x.yaml:ro',
      ]),
    /\[volumes\] edge: bind-mounted \.\/deploy\/config\/nope\.yaml does not exist/,
  ],
  [
    'an unpinned image',
    (f) => (service(f, 'grafana').image = 'grafana/grafana:latest'),
    /\[images\] grafana: image grafana\/grafana:latest is not pinned/,
  ],
  [
    'an untagged image',
    (f) => (service(f, 'influxdb').image = 'influxdb'),
    /\[images\] influxdb: image influxdb is not pinned/,
  ],
  [
    'a site file that is not in the image',
    (f) => (env(f, 'ingest').INGEST_SITE_FILES = '/app/site/no-such-village.yaml'),
    /\[files-read\] ingest: reads \/app\/site\/no-such-village\.yaml/,
  ],
  [
    'Grafana without the generated provisioning',
    (f) => (service(f, 'grafana').volumes = ['grafana-data:/var/lib/grafana']),
    /\[grafana-provisioning\] grafana: \/etc\/grafana\/provisioning is not mounted/,
  ],
  [
    'Grafana published on every interface in plain HTTP',
    (f) => (service(f, 'grafana').ports = ['3000:3000']),
    /\[plaintext-stays-local\] grafana: port 3000 \(container port 3000\) is plain text, published on every interface/,
  ],
  [
    'the alerting API published on the network',
    (f) => (service(f, 'alerting').ports = ['0.0.0.0:9105:9105']),
    /\[plaintext-stays-local\] alerting: http \(container port 9105\) is plain text, published on 0\.0\.0\.0/,
  ],
  [
    'the broker without its TLS listener, its port still published',
    (f) => delete env(f, 'broker').BROKER_TLS_CERT_FILE,
    /\[config-loads\] broker: [\s\S]*tls/,
  ],
  [
    'a container whose log is never rotated',
    (f) => delete service(f, 'ingest').logging,
    /\[log-rotation\] ingest: no logging driver with rotation/,
  ],
  [
    'a log without a size cap',
    (f) => (service(f, 'influxdb').logging = { driver: 'json-file', options: { 'max-file': '5' } }),
    /\[log-rotation\] influxdb: its json-file log has no max-size/,
  ],
  [
    'a platform service that waits for the demo gateway',
    (f) => (service(f, 'alerting').depends_on = { edge: { condition: 'service_healthy' } }),
    /\[profiles\] alerting: starts by default but depends on edge/,
  ],
  [
    'a proxy site to a service that does not exist',
    (f) =>
      (service(f, 'proxy').volumes = [
        './test/deploy/fixtures/Caddyfile.wrong-upstream:/etc/caddy/Caddyfile:ro',
      ]),
    /\[targets-resolve\] proxy: site :443 points at "alerts"/,
  ],
  [
    'a proxy site without TLS',
    (f) => (service(f, 'proxy').volumes = ['./test/deploy/fixtures/Caddyfile.plain:/etc/caddy/Caddyfile:ro']),
    /\[plaintext-stays-local\] proxy: site :443 \(container port 443\) is plain text/,
  ],
  [
    'the backup service pointed at an InfluxDB port that is not its RPC port',
    (f) => (env(f, 'backup').BACKUP_INFLUX_HOST = 'influxdb:8089'),
    /\[targets-resolve\] backup: influx\.host uses port 8089/,
  ],
  [
    'Grafana without the data source URL',
    (f) => delete env(f, 'grafana').INFLUX_URL,
    /\[grafana-provisioning\] grafana: the datasource needs INFLUX_URL/,
  ],
];

describe('the compose checks catch', () => {
  it.each(MUTATIONS)('%s', (_what, mutate, expected) => {
    const broken = structuredClone(compose);
    mutate(broken);
    const violations = checkCompose(broken);
    expect(
      violations.some((v) => expected.test(v)),
      violations.join('\n'),
    ).toBe(true);
  });
});
