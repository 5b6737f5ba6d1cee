import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from '../../../stack/index.js';

export interface ReceivedRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP endpoint on loopback that records every request and answers with `reply`. */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private server: Server | undefined;
  private port = 0;

  constructor(
    private readonly reply: { status: number; body: unknown } = {
      status: 200,
      body: { errcode: 0, errmsg: 'ok' },
    },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  json(index: number): Record<string, unknown> {
    return JSON.parse(this.requests[index]?.body ?? 'null') as Record<string, unknown>;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.requests.push({
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(this.reply.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(this.reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
