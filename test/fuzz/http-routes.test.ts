import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerConfigSchema, BrokerService } from '../../broker/index.js';
import { simulatorConfigSchema, SimulatorService } from '../../firmware-sim/index.js';
import { IngestService, loadIngestConfig } from '../../ingest/index.js';
import { createLogger, freePort, waitFor } from '../../runtime/index.js';
import { BareBroker } from '../support/index.js';
import { fuzzOptions } from './support/fuzz-options.js';
import { hostileString, INVALID_UTF8, toBytes } from './support/hostile.js';

const logger = createLogger('fuzz-http', { level: process.env.LOG_LEVEL ?? 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'fuzz-http-'));
const mqttBroker = new BareBroker();
let ingest: IngestService;
let broker: BrokerService;
let simulator: SimulatorService;
const servers: Array<{ name: string; base: () => string; routes: string[] }> = [];

beforeAll(async () => {
  await mqttBroker.start();
  ingest = new IngestService(
    loadIngestConfig({
      env: {},
      overrides: {
        'mqtt.url': mqttBroker.url,
        // Nothing listens there: /readyz answers 503, every other route must still work.
        'influx.url': `http://127.0.0.1:${await freePort()}`,
        'http.port': 0,
        deadLetterFile: join(dir, 'dead-letter.jsonl'),
      },
    }),
    { logger, drainTimeoutMs: 100 },
  );
  broker = new BrokerService(
    brokerConfigSchema.parse({
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      credentialsFile: join(dir, 'credentials.json'),
      persistence: { dir: join(dir, 'sessions') },
      allowAnonymous: true,
    }),
    { logger },
  );
  simulator = new SimulatorService(
    simulatorConfigSchema.parse({ controlPort: 0, imageRefreshMs: 60_000 }),
    logger,
  );
  await Promise.all([ingest.start(), broker.start(), simulator.start()]);
  await waitFor('ingest connected', () => ingest.mqttConnected, { timeoutMs: 10_000 });
  const common = ['/healthz', '/readyz', '/metrics'];
  servers.push(
    { name: 'ingest', base: () => `http://127.0.0.1:${ingest.httpPort}`, routes: common },
    { name: 'broker', base: () => broker.httpUrl, routes: common },
    {
      name: 'simulator',
      base: () => simulator.controlUrl ?? '',
      routes: [
        ...common,
        '/endpoints',
        '/faults',
        '/faults/x',
        '/devices/maker-hall-power/served',
        '/freeze',
        '/unfreeze',
      ],
    },
  );
});

afterAll(async () => {
  await simulator?.stop();
  await broker?.stop();
  await ingest?.stop();
  await mqttBroker.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'SEARCH'];

const deep = (depth: number) => '{"values":'.repeat(depth) + '1' + '}'.repeat(depth);
const bodies: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  fc.constant(undefined),
  fc
    .constantFrom(
      '{"kind":"leak","target":"maker-hall-flow"}',
      '{"kind":"leak","target":"no-such-device"}',
      '{"kind":"meter_offline","target":"maker-hall-power","extra":1}',
      '{"values":{"maker-hall-power":{"voltage_l1_v":1e308}}}',
      '{"values":{"nobody":{"voltage_l1_v":1}}}',
      '{"values":{"maker-hall-power":{"voltage_l1_v":"NaN"}}}',
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"kind":"leak","target":"maker-hall-flow","durationS":1e309}',
      'null',
      '[]',
      '"',
      '',
      deep(10_000),
      '['.repeat(50_000) + ']'.repeat(50_000),
      `{"a":"${'x'.repeat(300 * 1024)}"}`,
    )
    .map(toBytes),
  hostileString.map((s) => toBytes(JSON.stringify({ kind: s, target: s }))),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
);

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset=nonsense',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '*/*',
  ';;;',
);

function pathArbitrary(routes: readonly string[]): fc.Arbitrary<string> {
  const segment = fc.oneof(
    // Lone surrogates cannot be percent-encoded: they go as U+FFFD.
    hostileString.map((s) => encodeURIComponent(Buffer.from(s).toString('utf8'))),
    fc
      .constantFrom(
        '%',
        '%zz',
        '%00',
        '%E0%A4%A',
        '..',
        '%2e%2e',
        '%2F',
        ...INVALID_UTF8.map(([, raw]) => raw.toString('latin1')),
      )
      .map((s) => s.replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)),
  );
  return fc.oneof(
    { arbitrary: fc.constantFrom(...routes), weight: 4 },
    {
      arbitrary: fc.tuple(fc.constantFrom(...routes), segment).map(([route, s]) => `${route}/${s}`),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(fc.constantFrom(...routes), segment).map(([route, s]) => `${route}?${s}=${s}`),
      weight: 1,
    },
    { arbitrary: fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`), weight: 1 },
    {
      arbitrary: fc.constantFrom('//', '/./healthz', `/${'a'.repeat(8000)}`, '/faults/%2e%2e%2f', '/*'),
      weight: 1,
    },
  );
}

function requestArbitrary(routes: readonly string[]): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    method: fc.constantFrom(...METHODS),
    path: pathArbitrary(routes),
    headers: fc.record(
      {
        'content-type': contentTypes,
        accept: fc.constantFrom('application/json', 'text/html', '*/*', 'x/y;q=nonsense'),
        'content-encoding': fc.constantFrom('gzip', 'br', 'identity'),
        'x-forwarded-for': fc.constantFrom('1.2.3.4', 'nonsense', '::1, ::1'),
      },
      { requiredKeys: [] },
    ),
    body: bodies,
  });
}

/** Real HTTP (any method, any path bytes), so nothing is smoothed over the way inject() might. */
function send(base: string, fuzz: FuzzRequest): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: fuzz.method,
        path: fuzz.path,
        headers: { ...fuzz.headers, ...(fuzz.body ? { 'content-length': String(fuzz.body.length) } : {}) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(fuzz.body);
  });
}

describe('HTTP routes under hostile requests', () => {
  it('answers every request of every service below 500 (503 only from /readyz) and stays up', async () => {
    for (const server of servers) {
      await fc.assert(
        fc.asyncProperty(requestArbitrary(server.routes), async (fuzz) => {
          const status = await send(server.base(), fuzz);
          const readiness = fuzz.path === '/readyz' && status === 503;
          expect({
            server: server.name,
            status: readiness ? 200 : status < 500 ? 'below 500' : status,
          }).toEqual({
            server: server.name,
            status: readiness ? 200 : 'below 500',
          });
        }),
        fuzzOptions(150),
      );
      expect(
        await send(server.base(), { method: 'GET', path: '/healthz', headers: {}, body: undefined }),
      ).toBe(200);
    }
  });
});
