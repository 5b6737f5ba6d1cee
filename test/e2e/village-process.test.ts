import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, freePort, siblingEntryCommand, waitFor } from '../../runtime/index.js';
import { AlertingVillage } from '../support/index.js';

const MODULES = ['broker', 'ingest', 'alerting', 'edge'] as const;

/**
 * The single-process village (deploy/village), as `npm start` runs it: broker, ingest,
 * alerting and the gateway in one Node process from a fresh data folder, each with its own
 * /healthz, /readyz and /metrics; a simulator fault becomes an operator's alert and clears;
 * a dead process comes back, a module that cannot start stops it with its name.
 */
describe('the village in one process', () => {
  let village: AlertingVillage;

  const portOf = (module: (typeof MODULES)[number]) => {
    const { ports } = village.stack;
    return {
      broker: ports.brokerHttp,
      ingest: ports.ingestHttp,
      alerting: ports.alertingHttp,
      edge: ports.edgeHttp,
    }[module];
  };
  const get = (module: (typeof MODULES)[number], path: string) =>
    fetch(`http://127.0.0.1:${portOf(module)}${path}`);

  beforeAll(async () => {
    village = new AlertingVillage({ name: 'village-process', singleProcess: true });
    await village.start();
  }, 180_000);

  afterAll(async () => {
    await village?.stop();
  }, 60_000);

  it('runs broker, ingest, alerting and the gateway in one process, each answering its own health and metrics', async () => {
    const { stack } = village;
    expect([...stack.services.keys()].sort()).toEqual(['simulator', 'village']);
    // A fresh data folder: the credentials and the gateway's config were made for this start.
    expect(existsSync(stack.credentialsFile)).toBe(true);
    const startTimes = new Set<string>();
    for (const module of MODULES) {
      expect((await get(module, '/healthz')).status, `${module} /healthz`).toBe(200);
      const ready = await get(module, '/readyz');
      expect(ready.status, `${module} /readyz: ${await ready.clone().text()}`).toBe(200);
      const metrics = await (await get(module, '/metrics')).text();
      // Its own registry: its own metrics, labelled with its name, none of another module's.
      expect(metrics).toMatch(new RegExp(`^${module}_\\w+`, 'm'));
      for (const other of MODULES.filter((name) => name !== module))
        expect(metrics, `${other}'s metrics in ${module}'s /metrics`).not.toMatch(
          new RegExp(`^${other}_\\w+`, 'm'),
        );
      expect(metrics).toContain(`service="${module}"`);
      startTimes.add(/^process_start_time_seconds\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 'none');
    }
    // One process behind the four ports.
    expect([...startTimes]).toHaveLength(1);
    expect(startTimes.has('none')).toBe(false);
  });

  it('turns a simulated fire alarm into a signed alert to the operator, and resolves it when cleared', async () => {
    const fault = await village.injectFault('fire-alarm', 'maker-hall-fire-panel');
    const firing = await village.webhook.next(
      { reason: 'firing', ruleId: 'fire-alarm', device: 'maker-hall-fire-panel' },
      60_000,
    );
    expect(firing.signatureValid).toBe(true);
    expect(firing.notice.title).toContain('火灾报警');
    await village.clearFault(fault);
    await village.webhook.next(
      { reason: 'resolved', ruleId: 'fire-alarm', device: 'maker-hall-fire-panel' },
      60_000,
    );
  }, 150_000);

  it('keeps every module running while InfluxDB restarts: ingest not ready meanwhile, alarms still told, writes resumed', async () => {
    const processOfVillage = village.stack.service('village');
    const crashes = processOfVillage.crashes;
    const influxd = village.stack.influxd!;
    const pointsWritten = async () => {
      const metrics = await (await get('ingest', '/metrics')).text();
      return [...metrics.matchAll(/^ingest_points_written_total\{[^}]*\} (\d+)/gm)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    };
    await influxd.stop();
    await waitFor(
      'ingest not ready while InfluxDB is away',
      async () => (await get('ingest', '/readyz')).status === 503,
    );
    const fault = await village.injectFault('fire-alarm', 'fab-lab-fire-panel');
    await village.webhook.next(
      { reason: 'firing', ruleId: 'fire-alarm', device: 'fab-lab-fire-panel' },
      60_000,
    );
    await village.clearFault(fault);
    const before = await pointsWritten();
    await influxd.start();
    await waitFor('ingest ready again', async () => (await get('ingest', '/readyz')).status === 200, {
      timeoutMs: 30_000,
    });
    await waitFor('readings written again', async () => (await pointsWritten()) > before, {
      timeoutMs: 30_000,
    });
    expect(processOfVillage.crashes).toBe(crashes);
    expect(processOfVillage.pid).toBeDefined();
  }, 150_000);

  it('raises nothing when the village stops and starts again: no power outage, no gateway lost', async () => {
    const processOfVillage = village.stack.service('village');
    const since = village.webhook.received.length;
    await processOfVillage.stop();
    await processOfVillage.start();
    await processOfVillage.waitReady(90_000);
    // A marker after the restart: the notices before it are all the stop and start caused.
    const fault = await village.injectFault('fire-alarm', 'canteen-fire-panel');
    await village.webhook.next(
      { reason: 'firing', ruleId: 'fire-alarm', device: 'canteen-fire-panel' },
      60_000,
    );
    await village.clearFault(fault);
    const raised = village.webhook.received
      .slice(since)
      .filter((r) => r.notice.reason === 'firing' && r.notice.alert.ruleId !== 'fire-alarm')
      .map((r) => r.notice.title);
    expect(raised).toEqual([]);
  }, 240_000);

  it('comes back with every module after the process dies', async () => {
    const process = village.stack.service('village');
    const before = process.pid;
    expect(before).toBeDefined();
    globalThis.process.kill(before!, 'SIGKILL');
    await waitFor(
      'the village process restarted',
      () => process.crashes === 1 && process.running && process.pid !== before,
      {
        timeoutMs: 30_000,
      },
    );
    await process.waitReady(90_000);
    for (const module of MODULES) expect((await get(module, '/readyz')).status, module).toBe(200);
  }, 150_000);

  it('stops the process, naming the module, when a module cannot start', async () => {
    // The broker alone, its HTTP port taken by someone else: it cannot start.
    const taken: Server = createServer();
    const httpPort = await freePort();
    await new Promise<void>((resolve) => taken.listen(httpPort, '127.0.0.1', resolve));
    try {
      const child = spawn(process.execPath, siblingEntryCommand(join('deploy', 'village', 'main.ts')), {
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          LOG_LEVEL: 'info',
          VILLAGE_MODULES: 'broker',
          BROKER_MQTT_PORT: String(await freePort()),
          BROKER_HTTP_PORT: String(httpPort),
          BROKER_CREDENTIALS_FILE: village.stack.credentialsFile,
          BROKER_PERSISTENCE: 'memory',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      const fatal = output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map(
          (line) =>
            JSON.parse(line) as {
              level: number;
              name: string;
              msg: string;
              err?: { message: string; code?: string };
            },
        )
        .find((entry) => entry.level === 60);
      expect(fatal?.name).toBe('village');
      expect(fatal?.err?.code).toBe('MODULE_START_FAILED');
      expect(fatal?.err?.message).toContain('broker');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 60_000);
});
