import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from '../../runtime/index.js';

export interface ReceivedRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers: a status, a body (JSON unless a string) and extra headers. */
export interface ReceiverAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A real HTTP endpoint on loopback that records every request and answers with
 * `answer` (by default like a WeCom or DingTalk robot that took the message); a test
 * changes `answer` to make it fail the way a provider does, then heal.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  /**
   * While set, a request is not answered but, once its body has arrived, its connection is
   * reset (`reset`: a relay or NAT dropping it mid-exchange) or left open for good (`hang`:
   * an overloaded robot endpoint); such requests are counted in `failed`, not kept.
   */
  failure: 'reset' | 'hang' | undefined;
  failed = 0;
  private server: Server | undefined;
  private port = 0;

  constructor(public answer: ReceiverAnswer = { status: 200, body: { errcode: 0, errmsg: 'ok' } }) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  json(index: number): Record<string, unknown> {
    return JSON.parse(this.requests[index]?.body ?? 'null') as Record<string, unknown>;
  }

  /** Every request body, parsed. */
  bodies(): Array<Record<string, unknown>> {
    return this.requests.map((_, i) => this.json(i));
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.failure) {
          this.failed++;
          if (this.failure === 'reset') request.socket.resetAndDestroy();
          return;
        }
        this.requests.push({
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const { status, body, headers } = this.answer;
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        response.writeHead(status, {
          'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json',
          ...headers,
        });
        response.end(text);
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
