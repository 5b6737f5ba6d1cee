import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { InfluxWriteError, failureKindOf, serverMessage, type PointWriter } from './point-writer.js';
import { answersPing } from './server-version.js';

export interface V1WriterOptions {
  url: string;
  database: string;
  username?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
  timeoutMs: number;
  /** Create the database when the server says it is missing (InfluxDB 1.x only). */
  createDatabase: boolean;
}

/** InfluxDB 1.x before 1.8: `POST /write?db=…&precision=ms` with line protocol. */
export class V1PointWriter implements PointWriter {
  readonly description: string;

  constructor(private readonly options: V1WriterOptions) {
    this.description = `InfluxDB 1.x /write (db ${options.database})`;
  }

  async write(body: readonly Buffer[]): Promise<void> {
    let response = await this.post(body);
    if (response.status === 404 && this.options.createDatabase) {
      if (!/database not found/i.test(response.text))
        throw new InfluxWriteError('retryable', serverMessage(response.text), 404);
      await this.ensureDatabase();
      response = await this.post(body);
    }
    if (response.status === 204 || response.status === 200) return;
    throw new InfluxWriteError(
      failureKindOf(response.status),
      `HTTP ${response.status}: ${serverMessage(response.text)}`,
      response.status,
    );
  }

  ping(): Promise<boolean> {
    return answersPing(this.options.url, this.options.timeoutMs);
  }

  /** `CREATE DATABASE` is idempotent on 1.x. */
  async ensureDatabase(): Promise<void> {
    const name = this.options.database.replace(/[\\"]/g, (c) => `\\${c}`);
    const response = await this.request(`${this.options.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: `CREATE DATABASE "${name}"` }),
    });
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      throw new InfluxWriteError(
        'retryable',
        `CREATE DATABASE failed: HTTP ${response.status}: ${serverMessage(text)}`,
      );
    }
  }

  /**
   * `POST /write` through node:http rather than fetch: the body's pieces (views of the
   * lines ingest holds) go to the socket as they are. fetch copies a Buffer body into a
   * body of its own, and the pieces had to be joined into one first: two copies of every
   * write (MBs a second under load) that lived as long as the write, long enough to outlive
   * a young-generation collection, so their memory came back only at the next full one.
   */
  private post(body: readonly Buffer[]): Promise<{ status: number; text: string }> {
    const params = new URLSearchParams({ db: this.options.database, precision: 'ms' });
    const url = new URL(`${this.options.url}/write?${params}`);
    const headers: Record<string, string | number> = {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': body.reduce((sum, piece) => sum + piece.length, 0),
    };
    const auth = this.authorization();
    if (auth) headers.authorization = auth;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const fail = (error: Error & { code?: string }) =>
        reject(new InfluxWriteError('retryable', `${error.message}${error.code ? ` (${error.code})` : ''}`));
      const request = send(url, { method: 'POST', headers, timeout: this.options.timeoutMs });
      request.on('timeout', () =>
        request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)),
      );
      request.on('error', fail);
      request.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        // A success has no body worth reading; an error's explanation is kept.
        response.on('data', (chunk: Buffer) => {
          if (status !== 204 && status !== 200) chunks.push(chunk);
        });
        response.on('end', () => resolve({ status, text: Buffer.concat(chunks).toString() }));
        response.on('error', fail);
      });
      request.cork();
      for (const piece of body) request.write(piece);
      request.end();
    });
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    const auth = this.authorization();
    if (auth) headers.set('authorization', auth);
    try {
      return await fetch(url, { ...init, headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new InfluxWriteError('retryable', `${(error as Error).message}${cause ? ` (${cause})` : ''}`);
    }
  }

  /** Credentials go in a header, never in the query string where proxies and logs would keep them. */
  private authorization(): string | undefined {
    if (this.options.token) return `Token ${this.options.token}`;
    if (this.options.username) {
      const pair = `${this.options.username}:${this.options.password ?? ''}`;
      return `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    return undefined;
  }
}
