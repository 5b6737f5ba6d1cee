import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fillSecrets } from '../../deploy/index.js';
import {
  ENV_EXAMPLE_FILE,
  loadCompose,
  operatorEnv,
  parseEnvFile,
  portsOf,
} from '../deploy/support/compose-file.js';

/**
 * Issue 20, item 12 (the minimum; the production compose file is issue 24): the alerting
 * page and API and Grafana speak plain HTTP, and compose published them on every
 * interface of the host. Now on loopback unless the operator says otherwise.
 */
/** The operator's .env as `deploy/cli.ts env` writes it, without the bind addresses (compose's defaults then). */
const withoutBinds = (() => {
  const {
    ALERTING_BIND: _alerting,
    GRAFANA_BIND: _grafana,
    ...rest
  } = operatorEnv(readFileSync(ENV_EXAMPLE_FILE, 'utf8'), fillSecrets);
  return rest;
})();
const published = (env: Record<string, string>, service: string) =>
  portsOf(loadCompose({ ...withoutBinds, ...env }).services[service] ?? {}).map((p) => p.published);

/** Every listening address a port mapping binds: a bare port (or an empty address) binds all of them. */
const everyInterface = (mapping: string) => !/^(127\.0\.0\.1|\[::1\]):/.test(mapping);

describe('what the compose stack publishes on the host', () => {
  it('keeps the plain-HTTP alerting page and Grafana on loopback by default', () => {
    // Compose's defaults (no bind variable set), and the values env.example ships.
    const example = parseEnvFile(readFileSync(ENV_EXAMPLE_FILE, 'utf8'));
    const shipped = { ALERTING_BIND: example.ALERTING_BIND ?? '', GRAFANA_BIND: example.GRAFANA_BIND ?? '' };
    for (const env of [{}, shipped]) {
      for (const service of ['alerting', 'grafana', 'influxdb', 'ingest', 'simulator']) {
        const exposed = published(env, service).filter(everyInterface);
        expect({ service, exposed }).toEqual({ service, exposed: [] });
      }
    }
  });

  it('exposes the alerting page and Grafana only when ALERTING_BIND and GRAFANA_BIND say so', () => {
    expect(published({ ALERTING_BIND: '0.0.0.0' }, 'alerting')).toEqual(['0.0.0.0:9105']);
    expect(published({ GRAFANA_BIND: '192.168.1.10', GRAFANA_PORT: '3300' }, 'grafana')).toEqual([
      '192.168.1.10:3300',
    ]);
  });
});
