import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthMessageSchema, statusMessageSchema, topics } from '../../contracts/index.js';
import { UpstreamBroker, type ReceivedMessage } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig, writeTestConfig } from './support/gateway-harness.js';
import { PROJECT_ROOT, waitFor } from '../../runtime/index.js';

const statusTopic = topics.status('test-site', 'gw-test');
const packageVersion = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

describe('gateway status upstream', () => {
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    dir = await tempDir();
    await upstream.start();
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await upstream.stop();
    await dir?.remove();
  });

  it('publishes a retained online status, health, serves HTTP, and a retained offline status on clean stop', async () => {
    const gateway = await startGateway(
      testConfig(upstream.url, join(dir.path, 'clean'), { healthIntervalS: 0.2 }),
    );
    try {
      await waitFor('upstream connected', () => gateway.upstreamConnected);
      const retained: ReceivedMessage[] = [];
      const late = await upstream.subscribe(statusTopic, retained);
      await waitFor('retained status', () => retained.length > 0);
      await late.endAsync();
      expect(retained[0]?.retain).toBe(true);
      const online = statusMessageSchema.parse(retained[0]?.payload);
      expect(online).toMatchObject({ state: 'online', reason: 'startup', version: packageVersion });

      const health = await upstream.waitFor(
        'health',
        (m) => m.topic === topics.health('test-site', 'gw-test'),
      );
      expect(healthMessageSchema.parse(health.payload).memory_rss_bytes).toBeGreaterThan(0);

      const base = `http://127.0.0.1:${gateway.httpPort}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('edge_upstream_connected 1');
      expect(await (await fetch(`${base}/api/devices`)).json()).toEqual({ devices: [] });
    } finally {
      await gateway.stop();
    }
    const retained: ReceivedMessage[] = [];
    const late = await upstream.subscribe(statusTopic, retained);
    await waitFor('retained status after stop', () => retained.length > 0);
    await late.endAsync();
    expect(statusMessageSchema.parse(retained[0]?.payload)).toMatchObject({
      state: 'offline',
      reason: 'shutdown',
    });
  });

  it('leaves the LWT offline status when the gateway process dies', async () => {
    const configFile = join(dir.path, 'edge.yaml');
    await writeTestConfig(configFile, 'mqtt://127.0.0.1:1', join(dir.path, 'killed'));
    const started = upstream.messages.length;
    const isStatus = (state: string) => (m: ReceivedMessage) =>
      m.topic === statusTopic && m.payload.state === state;
    child = spawn(process.execPath, ['--import', 'tsx', 'edge/main.ts', '--config', configFile], {
      cwd: PROJECT_ROOT,
      // The env override proves EDGE_UPSTREAM_URL wins over the file's (unreachable) URL.
      env: { ...process.env, EDGE_UPSTREAM_URL: upstream.url, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor(
      'online status from the child',
      () => upstream.messages.slice(started).find(isStatus('online')),
      {
        timeoutMs: 20_000,
      },
    );
    child.kill('SIGKILL');
    const lwt = await waitFor('LWT', () => upstream.messages.slice(started).find(isStatus('offline')));
    expect(statusMessageSchema.parse(lwt.payload)).toMatchObject({ state: 'offline', reason: 'lwt' });
    child = undefined;
  });
});
