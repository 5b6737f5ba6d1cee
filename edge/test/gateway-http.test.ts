import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';
import { UpstreamBroker } from './support/upstream-broker.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw request, so methods and paths go exactly as given. */
function send(port: number, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-length': Buffer.byteLength(body) };
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the gateway’s HTTP routes (node:http)', () => {
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: Gateway;

  beforeAll(async () => {
    dir = await tempDir();
    await upstream.start();
    gateway = await startGateway(testConfig(upstream.url, dir.path));
    await waitFor('upstream connected', () => gateway.upstreamConnected, { timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream.stop();
    await dir?.remove();
  });

  it('answers the probes, the scrape and the status API as JSON and Prometheus text', async () => {
    const port = gateway.httpPort;
    const health = await send(port, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    expect(health.headers['content-type']).toBe('application/json; charset=utf-8');

    const ready = await send(port, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready', checks: { upstream: true } });

    const metrics = await send(port, 'GET', '/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toMatch(/^edge_upstream_connected\{service="edge"\} 1$/m);

    const status = await send(port, 'GET', '/api/status?cache=1');
    expect(JSON.parse(status.body)).toMatchObject({ site: 'test-site', gateway: 'gw-test' });
    expect(JSON.parse((await send(port, 'GET', '/api/devices')).body)).toEqual({ devices: [] });
  });

  it('serves the page to HEAD without a body, refuses other methods and unknown paths', async () => {
    const port = gateway.httpPort;
    const head = await send(port, 'HEAD', '/');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head.body).toBe('');

    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const refused = await send(port, method, '/healthz', '{"a":1}');
      expect(refused.status, method).toBe(405);
      expect(refused.headers.allow).toBe('GET, HEAD');
    }
    for (const path of ['/nope', '/healthz/x', '/api', '//metrics', '/%zz']) {
      expect((await send(port, 'GET', path)).status, path).toBe(404);
    }
    const page = await send(port, 'GET', '/');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('test-site / gw-test');
  });

  it('reports not ready while the upstream broker is down, and keeps serving', async () => {
    await upstream.stop();
    await waitFor('upstream lost', () => !gateway.upstreamConnected, { timeoutMs: 20_000 });
    const ready = await send(gateway.httpPort, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toEqual({ status: 'not_ready', checks: { upstream: false } });
    expect((await send(gateway.httpPort, 'GET', '/healthz')).status).toBe(200);
  });
});
