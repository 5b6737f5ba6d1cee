import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { checkReadiness, readHttpsFiles, type HttpsFiles, type Logger } from '../../runtime/index.js';
import type { QueueStats } from '../buffer/durable-queue.js';
import type { DeviceStatusBoard } from '../device-status.js';
import { durationWords } from '../duration-words.js';
import type { PlatformState } from '../platform/platform-feedback.js';
import { statusPageHtml } from './status-page.js';

/** What GET /api/status serves besides the device counts. */
export interface GatewayStatusSnapshot {
  site: string;
  gateway: string;
  startedAt: number;
  upstream: { url: string; connected: boolean };
  buffer: QueueStats & { replaying: boolean };
  version: string;
  /** NTP as the system reports it; the offset against the platform's clock when it answered. */
  clock: { ntpSynchronized: boolean | undefined; platformOffsetMs: number | undefined };
  /** What the platform last said back (rejections), when `platform` is configured. */
  platform?: PlatformState | undefined;
  /** Present when the LAN broker runs; `anonymous` puts a warning on the status page. */
  lan?: { anonymous: boolean };
}

export interface EdgeHttpOptions {
  host: string;
  port: number;
  logger: Logger;
  registry: Registry;
  board: DeviceStatusBoard;
  upstreamConnected: () => boolean;
  status?: () => GatewayStatusSnapshot;
  /** Device names from the config (社区食堂水表), served beside each device's state. */
  deviceNames?: ReadonlyMap<string, string>;
  https?: HttpsFiles | undefined;
}

/** A route's answer: status, content type and body. */
interface Answer {
  status: number;
  type: string;
  body: string;
}

type Route = () => Promise<Answer>;

const JSON_TYPE = 'application/json; charset=utf-8';
const json = (body: unknown, status = 200): Answer => ({
  status,
  type: JSON_TYPE,
  body: JSON.stringify(body),
});

/**
 * /healthz, /readyz (upstream connected), /metrics, and for technicians `/` (status page),
 * GET /api/devices and GET /api/status. Six read-only routes on node:http rather than
 * fastify, which with its dependencies is about 5 MiB of a gateway's memory: GET and HEAD
 * only, no request body is read, every other path is 404 and every other method 405.
 */
export class EdgeHttp {
  private server: Server | undefined;
  private boundPort = 0;

  constructor(private readonly options: EdgeHttpOptions) {}

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const routes = this.routes();
    const logger = this.options.logger.child({ component: 'http' });
    const handle = (request: IncomingMessage, response: ServerResponse) => {
      this.answer(routes, request)
        .catch((error: unknown) => {
          logger.error({ err: error, url: request.url }, 'HTTP route failed');
          return json({ statusCode: 500, error: 'Internal Server Error' }, 500);
        })
        .then((answer) => send(response, answer))
        .catch((error: unknown) => logger.warn({ err: error }, 'HTTP answer not sent'));
    };
    const https = this.options.https;
    const server = https ? createHttpsServer(readHttpsFiles(https), handle) : createHttpServer(handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.options.host, port: this.options.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => logger.error({ err: error }, 'HTTP server error'));
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async answer(routes: ReadonlyMap<string, Route>, request: IncomingMessage): Promise<Answer> {
    const route = routes.get(pathOf(request));
    if (!route) return json({ statusCode: 404, error: 'Not Found' }, 404);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return json({ statusCode: 405, error: 'Method Not Allowed' }, 405);
    return route();
  }

  private routes(): Map<string, Route> {
    const { board, registry, status } = this.options;
    const names = this.options.deviceNames ?? new Map<string, string>();
    const routes = new Map<string, Route>([
      ['/healthz', async () => json({ status: 'ok' })],
      [
        '/readyz',
        async () => {
          const { ready, body } = await checkReadiness([
            { name: 'upstream', check: this.options.upstreamConnected },
          ]);
          return json(body, ready ? 200 : 503);
        },
      ],
      ['/metrics', async () => ({ status: 200, type: registry.contentType, body: await registry.metrics() })],
      [
        '/api/devices',
        async () =>
          json({ devices: board.all().map((device) => ({ ...device, name: names.get(device.id) })) }),
      ],
    ]);
    if (status) {
      routes.set('/api/status', async () => {
        const snapshot = status();
        const uptimeMs = Date.now() - snapshot.startedAt;
        return json({
          ...snapshot,
          uptime_s: uptimeMs / 1000,
          uptime_words: durationWords(uptimeMs),
          devices: board.counts(),
        });
      });
      routes.set('/', async () => {
        const { site, gateway, lan } = status();
        const html = statusPageHtml(`${site} / ${gateway}`, { lanAnonymous: lan?.anonymous ?? false });
        return { status: 200, type: 'text/html; charset=utf-8', body: html };
      });
    }
    return routes;
  }
}

/** The request's path, without its query; compared as sent (no route has an escape in it). */
function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function send(response: ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, {
    'content-type': answer.type,
    'content-length': Buffer.byteLength(answer.body),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...(answer.status === 405 ? { allow: 'GET, HEAD' } : {}),
  });
  response.end(answer.body);
}
