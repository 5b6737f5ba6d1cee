import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createServiceHttp, type HttpsFiles, type Logger } from '../../runtime/index.js';
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

/** /healthz, /readyz (upstream connected), /metrics, and for technicians `/` (status page), GET /api/devices and GET /api/status. */
export class EdgeHttp {
  private app: FastifyInstance | undefined;
  private boundPort = 0;

  constructor(private readonly options: EdgeHttpOptions) {}

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const { board } = this.options;
    const app = createServiceHttp({
      logger: this.options.logger,
      registry: this.options.registry,
      readiness: [{ name: 'upstream', check: this.options.upstreamConnected }],
      https: this.options.https,
    });
    const names = this.options.deviceNames ?? new Map<string, string>();
    app.get('/api/devices', async () => ({
      devices: board.all().map((device) => ({ ...device, name: names.get(device.id) })),
    }));
    const status = this.options.status;
    if (status) {
      app.get('/api/status', async () => {
        const snapshot = status();
        const uptimeMs = Date.now() - snapshot.startedAt;
        return {
          ...snapshot,
          uptime_s: uptimeMs / 1000,
          uptime_words: durationWords(uptimeMs),
          devices: board.counts(),
        };
      });
      app.get('/', async (_request, reply) => {
        const { site, gateway, lan } = status();
        const html = statusPageHtml(`${site} / ${gateway}`, { lanAnonymous: lan?.anonymous ?? false });
        return reply.type('text/html; charset=utf-8').send(html);
      });
    }
    this.app = app;
    await app.listen({ host: this.options.host, port: this.options.port });
    const address = app.server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.options.port;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
  }
}
