import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCredential } from '../../broker/index.js';
import { buildDist } from '../../deploy/index.js';
import {
  CODE_ROOT,
  entryCommand,
  PROJECT_ROOT,
  RUNNING_COMPILED,
  freePort,
  waitFor,
} from '../../runtime/index.js';

const run = promisify(execFile);

describe('service launch command', () => {
  it('runs the TypeScript through tsx, or the emitted JavaScript under a build folder', () => {
    expect(entryCommand('broker/main.ts')).toEqual(['--import', 'tsx', join(PROJECT_ROOT, 'broker/main.ts')]);
    expect(entryCommand('edge/main.ts', '/app/dist')).toEqual(['/app/dist/edge/main.js']);
  });

  it('knows it runs from the sources under vitest', () => {
    expect(RUNNING_COMPILED).toBe(false);
    expect(CODE_ROOT).toBe(PROJECT_ROOT);
  });
});

describe('the build (deploy/build.ts) as the image runs it', () => {
  // Inside the repository, so the emitted code finds node_modules and package.json above it.
  const outDir = join(PROJECT_ROOT, 'data', `build-test-${process.pid}`);
  let broker: ChildProcess | undefined;

  beforeAll(async () => {
    mkdirSync(join(PROJECT_ROOT, 'data'), { recursive: true });
    await buildDist({ outDir });
  }, 60_000);

  afterAll(() => {
    broker?.kill('SIGKILL');
    rmSync(outDir, { recursive: true, force: true });
  });

  it('emits every service entry and no test or benchmark', () => {
    const files = readdirSync(outDir, { recursive: true, encoding: 'utf8' });
    for (const entry of [
      'broker/main.js',
      'ingest/main.js',
      'edge/main.js',
      'alerting/main.js',
      'stack/main.js',
    ])
      expect(files).toContain(entry);
    expect(files.filter((file) => /\.test\.js$|(^|\/)(test|bench)\//.test(file))).toEqual([]);
  });

  it('emits the gateway daemon as one file, importing none of the per-file modules beside it', () => {
    const daemon = readFileSync(join(outDir, 'edge/main.js'), 'utf8');
    expect(daemon.length).toBeGreaterThan(100_000);
    expect(daemon).not.toMatch(/from\s*["']\.\.?\//);
    // The technician's CLI and the village process still import the gateway's modules.
    expect(readdirSync(outDir, { recursive: true, encoding: 'utf8' })).toContain('edge/run-gateway.js');
  });

  it('does not wrap closures in __name calls, the cost tsx adds to every hot path', () => {
    const handler = readFileSync(join(outDir, 'ingest/pipeline/message-handler.js'), 'utf8');
    expect(handler.length).toBeGreaterThan(1000);
    expect(handler).not.toMatch(/__name\(/);
  });

  it('reads the repository files it needs (deploy/env.example) from the compiled tree', async () => {
    const { stdout } = await run(process.execPath, [join(outDir, 'deploy/cli.js'), 'env'], {
      cwd: PROJECT_ROOT,
    });
    expect(stdout).toMatch(/^INGEST_MQTT_PASSWORD=\S{16,}$/m);
  });

  it('starts the broker, which then takes an authenticated MQTT client', async () => {
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const credentialsFile = join(outDir, 'credentials.json');
    const { password } = await addCredential(credentialsFile, {
      username: 'ingest',
      role: 'ingest',
      sites: ['*'],
    });
    broker = spawn(process.execPath, [join(outDir, 'broker/main.js')], {
      cwd: PROJECT_ROOT,
      stdio: 'ignore',
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        BROKER_MQTT_HOST: '127.0.0.1',
        BROKER_MQTT_PORT: String(mqttPort),
        BROKER_HTTP_PORT: String(httpPort),
        BROKER_CREDENTIALS_FILE: credentialsFile,
        BROKER_PERSISTENCE: 'memory',
      },
    });
    await waitFor(
      'the compiled broker ready',
      async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.status === 200,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      username: 'ingest',
      password,
      reconnectPeriod: 0,
    });
    expect(client.connected).toBe(true);
    await client.endAsync();
  }, 60_000);
});
