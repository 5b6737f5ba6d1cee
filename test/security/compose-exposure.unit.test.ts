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
 * Issue 20, item 12: the alerting page and API and Grafana speak plain HTTP, and compose
 * published them on every interface of the host. Now the alerting port is on loopback unless
 * the operator says otherwise, and Grafana has no plain port at all: the TLS proxy fronts it.
 */
/** The operator's .env as `deploy/cli.ts env` writes it, without the bind addresses (compose's defaults then). */
const withoutBinds = (() => {
  const { ALERTING_BIND: _alerting, ...rest } = operatorEnv(
    readFileSync(ENV_EXAMPLE_FILE, 'utf8'),
    fillSecrets,
  );
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
    const shipped = { ALERTING_BIND: example.ALERTING_BIND ?? '' };
    for (const env of [{}, shipped]) {
      for (const service of ['alerting', 'grafana', 'influxdb', 'ingest', 'simulator']) {
        const exposed = published(env, service).filter(everyInterface);
        expect({ service, exposed }).toEqual({ service, exposed: [] });
      }
    }
  });

  it('exposes the plain alerting port only when ALERTING_BIND says so; Grafana only over TLS through the proxy', () => {
    expect(published({ ALERTING_BIND: '0.0.0.0' }, 'alerting')).toEqual(['0.0.0.0:9105']);
    expect(published({ ALERTING_BIND: '0.0.0.0' }, 'grafana')).toEqual([]);
    expect(published({ HTTPS_BIND: '192.168.1.10', GRAFANA_HTTPS_PORT: '3300' }, 'proxy')).toEqual([
      '192.168.1.10:443',
      '192.168.1.10:3300',
    ]);
  });
});
