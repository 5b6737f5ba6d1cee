import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorService, simulatorConfigSchema } from '../../firmware-sim/index.js';
import { quietLogger } from '../support/index.js';

/**
 * Issue 20, item 10: the simulator's control API switched faults for any local
 * process, and for any web page that rebinds its name to 127.0.0.1 (the browser sends
 * that name as Host); a fault reaches real notification channels. Now it wants a
 * token, answers only to its own host names, and is off without a token (outside the
 * demo, which generates one).
 */
const TOKEN = 'simulator-control-token-1';
const FIRE = JSON.stringify({ kind: 'fire-alarm', target: 'canteen-fire-panel' });

/** A raw request, so the Host header is whatever a browser would send. */
function call(
  port: number,
  options: { method?: string; path?: string; host?: string; token?: string; body?: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/faults',
        headers: {
          host: options.host ?? `127.0.0.1:${port}`,
          ...((options.method ?? 'POST') === 'POST' ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end((options.method ?? 'POST') === 'POST' ? (options.body ?? FIRE) : undefined);
  });
}

async function startSimulator(controlToken?: string): Promise<{ service: SimulatorService; port: number }> {
  const service = new SimulatorService(
    simulatorConfigSchema.parse({
      controlPort: 0,
      imageRefreshMs: 60_000,
      ...(controlToken ? { controlToken } : {}),
    }),
    quietLogger(),
  );
  await service.start();
  return { service, port: Number(new URL(service.controlUrl ?? '').port) };
}

describe('the simulator’s control API', () => {
  let withToken: { service: SimulatorService; port: number };
  let withoutToken: { service: SimulatorService; port: number };

  beforeAll(async () => {
    withToken = await startSimulator(TOKEN);
    withoutToken = await startSimulator();
  });
  afterAll(async () => {
    await withToken?.service.stop();
    await withoutToken?.service.stop();
  });

  it('switches no fault for a caller without the token, or with a wrong one', async () => {
    expect(await call(withToken.port, {})).toBe(401);
    expect(await call(withToken.port, { token: 'a-guessed-token-0000' })).toBe(401);
    expect(await call(withToken.port, { method: 'GET', path: '/faults' })).toBe(401);
    expect(withToken.service.simulator.faults()).toEqual([]);
  });

  it('refuses a request naming another host, as a DNS-rebinding page does, even with the token', async () => {
    expect(await call(withToken.port, { host: `attacker.example:${withToken.port}`, token: TOKEN })).toBe(
      403,
    );
    expect(withToken.service.simulator.faults()).toEqual([]);
  });

  it('switches a fault with the token on a loopback host name', async () => {
    expect(await call(withToken.port, { host: `localhost:${withToken.port}`, token: TOKEN })).toBe(201);
    expect(withToken.service.simulator.faults()).toHaveLength(1);
  });

  it('has no control routes at all without a token, and still reports its health', async () => {
    expect(await call(withoutToken.port, { token: TOKEN })).toBe(404);
    expect(await call(withoutToken.port, { method: 'GET', path: '/healthz' })).toBe(200);
    expect(withoutToken.service.simulator.faults()).toEqual([]);
  });
});
