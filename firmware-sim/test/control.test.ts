import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeReading, getModbusProfile } from '../../devices/index.js';
import { SiteRegistry } from '../../site/index.js';
import { loadSimulatorConfig } from '../config.js';
import { SimulatorService } from '../service.js';
import { closeClient, modbusClient, readDevice, silentLogger, testConfig } from './helpers.js';

const run = promisify(execFile);

describe('control API and service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firmware-sim-'));
  const endpointsFile = join(dir, 'endpoints.json');
  const token = 'control-token-for-the-tests';
  const service = new SimulatorService(testConfig({ endpointsFile, controlToken: token }), silentLogger);
  let url = '';

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    await service.start();
    url = service.controlUrl ?? '';
  });

  afterAll(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('simulates the demo village: one endpoint per bus, written to the endpoints file', () => {
    const site = SiteRegistry.fromFile(testConfig().siteFile);
    const endpoints = service.simulator.busEndpoints();
    expect(endpoints.map((e) => e.busId)).toEqual(site.site.buses.map((b) => b.id));
    expect(JSON.parse(readFileSync(endpointsFile, 'utf8'))).toEqual({ buses: endpoints });
  });

  it('has health, readiness and metrics', async () => {
    expect((await api('GET', '/healthz')).status).toBe(200);
    expect((await api('GET', '/readyz')).body).toMatchObject({ status: 'ready' });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('process_cpu_user_seconds_total');
  });

  it('switches faults on and off', async () => {
    const created = await api('POST', '/faults', { kind: 'leak', target: 'maker-hall-flow' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'leak', target: 'maker-hall-flow', targetType: 'device' });
    const id = created.body.id as string;
    expect((await api('GET', '/faults')).body.faults).toEqual([created.body]);
    expect((await api('POST', '/faults', { kind: 'leak', target: 'no-such-device' })).status).toBe(400);
    expect((await api('POST', '/faults', { kind: 'earthquake', target: 'dining' })).status).toBe(400);
    expect((await api('DELETE', `/faults/${id}`)).body).toMatchObject({ id });
    expect((await api('DELETE', `/faults/${id}`)).status).toBe(404);
    expect((await api('GET', '/faults')).body.faults).toEqual([]);
  });

  it('freezes the village and reports what a meter served', async () => {
    const bus = service.simulator.busEndpoints().find((e) => e.busId === 'bus-maker-workspace');
    const profile = getModbusProfile('chint-dtsu666');
    const frozen = await api('POST', '/freeze', { values: { 'maker-hall-power': { voltage_l1_v: 231.5 } } });
    expect(frozen.status).toBe(200);
    const client = await modbusClient(bus?.port ?? 0);
    try {
      const first = decodeReading(profile, await readDevice(client, 1, profile)).values;
      const second = decodeReading(profile, await readDevice(client, 1, profile)).values;
      expect(first.voltage_l1_v).toBe(231.5);
      expect(second).toEqual(first);
      const served = await api('GET', '/devices/maker-hall-power/served');
      expect(served.body.values).toMatchObject({ voltage_l1_v: 231.5 });
    } finally {
      await closeClient(client);
    }
    expect((await api('POST', '/unfreeze')).body).toEqual({ frozen: false });
    expect((await api('GET', '/devices/no-such-device/served')).status).toBe(404);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/sim_modbus_requests_total\{[^}]*outcome="answered"[^}]*\} [1-9]/);
  });

  it('the CLI talks to the control API', async () => {
    const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
    const cliEnv = { env: { ...process.env, SIM_CONTROL_TOKEN: token } };
    const on = await run(
      process.execPath,
      ['--import', 'tsx', cli, '--url', url, 'fault', 'on', 'water-outage', 'dining'],
      cliEnv,
    );
    const fault = JSON.parse(on.stdout) as { id: string; targetType: string };
    expect(fault.targetType).toBe('zone');
    const list = await run(process.execPath, ['--import', 'tsx', cli, '--url', url, 'faults'], cliEnv);
    expect(JSON.parse(list.stdout)).toEqual({ faults: [fault] });
    await run(process.execPath, ['--import', 'tsx', cli, '--url', url, 'fault', 'off', fault.id], cliEnv);
    expect(service.simulator.faults()).toEqual([]);

    // Off by the same words as on, as a technician would type it.
    await run(
      process.execPath,
      ['--import', 'tsx', cli, '--url', url, 'fault', 'on', 'water-outage', 'dining'],
      cliEnv,
    );
    await run(
      process.execPath,
      ['--import', 'tsx', cli, '--url', url, 'fault', 'on', 'power-outage', 'dining'],
      cliEnv,
    );
    await run(
      process.execPath,
      ['--import', 'tsx', cli, '--url', url, 'fault', 'off', 'water-outage', 'dining'],
      cliEnv,
    );
    expect(service.simulator.faults().map((f) => f.kind)).toEqual(['power-outage']);
    const none = await run(
      process.execPath,
      ['--import', 'tsx', cli, '--url', url, 'fault', 'off', 'water-outage', 'dining'],
      cliEnv,
    ).catch((error: { stderr?: string }) => ({ stdout: '', stderr: error.stderr ?? '' }));
    expect(none.stderr).toContain('no such fault');

    // Without the token (run from another folder): refused, said so, and no crash of the CLI itself.
    const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const refused = await run(
      process.execPath,
      ['--import', tsxLoader, cli, '--url', url, 'fault', 'off', 'power-outage', 'dining'],
      { env: { ...process.env, SIM_CONTROL_TOKEN: '' }, cwd: tmpdir() },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('GET /faults 失败 / failed (401)');
    expect(refused.stderr).toContain('SIM_CONTROL_TOKEN');
    expect(refused.stderr).not.toContain('Cannot read properties');
    expect(service.simulator.faults().map((f) => f.kind)).toEqual(['power-outage']);
  });
});

describe('config', () => {
  it('reads the environment map and names a bad field', () => {
    const config = loadSimulatorConfig({
      env: {
        SIM_BUS_BASE_PORT: '15020',
        SIM_SEED: '9',
        SIM_LAN_BROKER_URL: 'mqtt://127.0.0.1:1884',
        SIM_HOST: '0.0.0.0',
      },
    });
    expect(config).toMatchObject({
      busBasePort: 15020,
      seed: 9,
      lanBrokerUrl: 'mqtt://127.0.0.1:1884',
      host: '0.0.0.0',
      controlPort: 9104,
    });
    expect(config.intervals.statusMs).toBe(60_000);
    expect(() => loadSimulatorConfig({ env: { SIM_CONTROL_PORT: 'abc' } })).toThrow(
      /controlPort \(from SIM_CONTROL_PORT\)/,
    );
  });
});
