import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createServiceHttp, type Logger } from '../../runtime/index.js';
import type { DeviceStatusBoard } from '../device-status.js';

export interface EdgeHttpOptions {
  host: string;
  port: number;
  logger: Logger;
  registry: Registry;
  board: DeviceStatusBoard;
  upstreamConnected: () => boolean;
}

/** /healthz, /readyz (upstream connected), /metrics, and GET /api/devices for technicians. */
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
    });
    app.get('/api/devices', async () => ({ devices: board.all() }));
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
