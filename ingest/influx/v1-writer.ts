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

  async write(body: Buffer): Promise<void> {
    let response = await this.post(body);
    if (response.status === 404 && this.options.createDatabase) {
      const text = await response.text();
      if (!/database not found/i.test(text))
        throw new InfluxWriteError('retryable', serverMessage(text), 404);
      await this.ensureDatabase();
      response = await this.post(body);
    }
    if (response.status === 204 || response.status === 200) {
      await response.body?.cancel();
      return;
    }
    const text = await response.text().catch(() => '');
    throw new InfluxWriteError(
      failureKindOf(response.status),
      `HTTP ${response.status}: ${serverMessage(text)}`,
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

  private post(body: Buffer): Promise<Response> {
    const params = new URLSearchParams({ db: this.options.database, precision: 'ms' });
    return this.request(`${this.options.url}/write?${params}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
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
