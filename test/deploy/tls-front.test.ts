import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../runtime/index.js';
import { tryConnect } from '../security/support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';
import { REPO_ROOT } from './support/compose-file.js';

const run = promisify(execFile);
const CADDYFILE = resolve(REPO_ROOT, 'deploy/proxy/Caddyfile');

/** `deploy/cli.ts certs` as an operator runs it. */
async function issueCerts(dir: string, hosts: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'deploy/cli.ts', 'certs', '--host', ...hosts, '-o', dir],
    {
      cwd: REPO_ROOT,
    },
  );
  return stdout;
}

/** GET over HTTPS trusting only `ca`; the status and body, or the TLS error. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = httpsRequest(url, { ca, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tls-front-'));
const certs = join(dir, 'certs');
const ca = () => readFileSync(join(certs, 'ca.crt'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deploy/cli.ts certs: a private CA and the server certificate it signs', () => {
  beforeAll(async () => {
    await issueCerts(certs, ['127.0.0.1', 'localhost']);
  }, 30_000);

  it('keeps the CA when the server certificate is issued again, so gateways keep trusting the server', async () => {
    const before = ca();
    const output = await issueCerts(certs, ['127.0.0.1', 'localhost', 'village.example.cn']);
    expect(output).toMatch(/kept the private CA/);
    expect(ca().equals(before)).toBe(true);
    const { stdout } = await run('openssl', [
      'verify',
      '-CAfile',
      join(certs, 'ca.crt'),
      join(certs, 'server.crt'),
    ]);
    expect(stdout).toMatch(/OK/);
  }, 30_000);

  describe('the broker serves MQTT over TLS with it', () => {
    let broker: TestBroker;
    const password = 'gateway-password-for-tls';

    beforeAll(async () => {
      broker = await startTestBroker(
        [{ username: 'gw-1', role: 'gateway', sites: ['s'], gateway: 'gw-1', password }],
        {
          tls: {
            host: '127.0.0.1',
            port: 0,
            certFile: join(certs, 'server.crt'),
            keyFile: join(certs, 'server.key'),
          },
        },
      );
    });

    afterAll(async () => {
      await broker?.close();
    });

    it('lets a gateway that trusts the private CA in, and no client that does not', async () => {
      const trusted = await tryConnect(broker.service.mqttsUrl, { ca: ca(), username: 'gw-1', password });
      expect(trusted.kind).toBe('connected');
      if (trusted.kind === 'connected') await trusted.client.endAsync(true);
      const untrusting = await tryConnect(broker.service.mqttsUrl, { username: 'gw-1', password });
      expect(untrusting.kind).toBe('transport_error');
    });
  });

  describe('the reverse proxy (Caddy with deploy/proxy/Caddyfile)', () => {
    let upstream: Server;
    let caddy: ChildProcess;
    let alertingPort = 0;
    let grafanaPort = 0;
    let log = '';

    beforeAll(async () => {
      upstream = createServer((req, res) =>
        res.end(`upstream saw ${req.url} as ${req.headers['x-forwarded-proto']}`),
      );
      await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
      const address = upstream.address();
      const upstreamPort = typeof address === 'object' && address ? address.port : 0;
      [alertingPort, grafanaPort] = [await freePort(), await freePort()];
      caddy = spawn('caddy', ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'], {
        cwd: dir,
        env: {
          ...process.env,
          HOME: dir,
          XDG_DATA_HOME: join(dir, 'caddy-data'),
          XDG_CONFIG_HOME: join(dir, 'caddy-config'),
          ALERTING_SITE: `:${alertingPort}`,
          GRAFANA_SITE: `:${grafanaPort}`,
          ALERTING_UPSTREAM: `127.0.0.1:${upstreamPort}`,
          GRAFANA_UPSTREAM: `127.0.0.1:${upstreamPort}`,
          TLS_CERT_FILE: join(certs, 'server.crt'),
          TLS_KEY_FILE: join(certs, 'server.key'),
          CADDY_ADMIN: `127.0.0.1:${await freePort()}`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      caddy.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      await waitFor(
        `caddy serving TLS on ${alertingPort}`,
        async () => {
          if (caddy.exitCode !== null) throw new Error(`caddy exited: ${log}`);
          return (
            (await httpsGet(`https://127.0.0.1:${alertingPort}/readyz`, ca()).catch(() => undefined)) !==
            undefined
          );
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
    }, 30_000);

    afterAll(async () => {
      caddy?.kill('SIGTERM');
      await new Promise<void>((done) => upstream?.close(() => done()));
    });

    it('serves the operators page and Grafana over TLS with the private CA certificate', async () => {
      for (const port of [alertingPort, grafanaPort]) {
        const response = await httpsGet(`https://127.0.0.1:${port}/api/alerts`, ca());
        expect(response).toEqual({ status: 200, body: 'upstream saw /api/alerts as https' });
      }
    });

    it('answers no plain HTTP request with the service behind it', async () => {
      const plain = await fetch(`http://127.0.0.1:${alertingPort}/api/alerts`).then(
        async (r) => ({ status: r.status, body: await r.text() }),
        () => undefined,
      );
      expect(plain?.body ?? '').not.toContain('upstream saw');
    });
  });
});
