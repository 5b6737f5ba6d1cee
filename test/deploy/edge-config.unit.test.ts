import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeGatewayConfig, fillSecrets, SECRET_VARIABLES } from '../../deploy/index.js';
import { EDGE_PROCESS_ENV, loadEdgeConfig } from '../../edge/index.js';
import { DEMO_SITE_FILE, loadSite } from '../../site/index.js';
import {
  ENV_EXAMPLE_FILE,
  environmentOf,
  loadCompose,
  operatorEnv,
  parseEnvFile,
} from './support/compose-file.js';
import { hostPathOf } from './support/app-service.js';

const sampleEnv = operatorEnv(readFileSync(ENV_EXAMPLE_FILE, 'utf8'), fillSecrets);
const compose = loadCompose(sampleEnv);

describe("the compose stack's gateway config", () => {
  it("is the demo site's gateway wired to the simulator and broker services (regenerate with deploy/cli.ts edge-config)", () => {
    const edge = compose.services.edge;
    if (!edge) throw new Error('no edge service');
    const file = hostPathOf(edge, '/etc/village/edge.yaml');
    const loaded = loadEdgeConfig({ file, env: environmentOf(edge) });
    const simulator = environmentOf(compose.services.simulator ?? {});
    const expected = composeGatewayConfig(
      loadSite(DEMO_SITE_FILE),
      'gw-center',
      {
        busHost: 'simulator',
        busBasePort: Number(simulator.SIM_BUS_BASE_PORT),
        upstreamUrl: 'mqtt://broker:1883',
        lanPort: 1884,
        httpPort: 9103,
        dataDir: '/data/edge',
      },
      sampleEnv.EDGE_UPSTREAM_PASSWORD as string,
    );
    expect(loaded).toEqual(expected);
    expect(loaded.modbus.buses.length).toBeGreaterThan(0);
    expect(loaded.mqttDevices.length).toBeGreaterThan(0);
  });

  it('runs the gateway with the heap limit of its systemd unit', () => {
    expect(environmentOf(compose.services.edge ?? {}).NODE_OPTIONS).toBe(EDGE_PROCESS_ENV.NODE_OPTIONS);
  });
});

describe('deploy/cli.ts env', () => {
  it('fills every secret with a fresh random value and keeps the other settings', () => {
    const example = readFileSync(ENV_EXAMPLE_FILE, 'utf8');
    const first = parseEnvFile(fillSecrets(example));
    const second = parseEnvFile(fillSecrets(example));
    for (const name of SECRET_VARIABLES) {
      expect(parseEnvFile(example)[name]).toBe('');
      expect(first[name]).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(first[name]).not.toBe(second[name]);
    }
    expect(first.MQTT_PORT).toBe('1883');
    expect(first.ALERTING_WEBHOOK_URL).toBe('');
  });
});
