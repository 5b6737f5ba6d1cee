import { HttpError, InfluxDB } from '@influxdata/influxdb-client';
import { InfluxWriteError, failureKindOf, serverMessage, type PointWriter } from './point-writer.js';
import { answersPing } from './server-version.js';

export interface V2WriterOptions {
  url: string;
  /** InfluxDB 2.x/3.x API token; on 1.8 `username:password`. */
  token?: string | undefined;
  org: string;
  /** On InfluxDB 1.8 `database/retention-policy` (or just `database` for the default policy). */
  bucket: string;
  timeoutMs: number;
}

/**
 * InfluxDB 1.8+, 2.x and 3.x: `POST /api/v2/write` through the official client's
 * transport. The client's own WriteApi batching and retrying are not used: the
 * pipeline must know exactly which points were accepted before it acknowledges
 * their MQTT messages, so it batches and retries itself.
 *
 * Not tested against a real 1.8/2.x/3.x server here (only influxd 1.6.7 is installed).
 */
export class V2PointWriter implements PointWriter {
  readonly description: string;
  private readonly client: InfluxDB;

  constructor(private readonly options: V2WriterOptions) {
    this.description = `InfluxDB /api/v2/write (bucket ${options.bucket})`;
    this.client = new InfluxDB({ url: options.url, token: options.token, timeout: options.timeoutMs });
  }

  async write(body: readonly Buffer[]): Promise<void> {
    const params = new URLSearchParams({
      org: this.options.org,
      bucket: this.options.bucket,
      precision: 'ms',
    });
    try {
      // The client's transport takes a string (anything else it sends as JSON) and encodes it again.
      await this.client.transport.request(`/api/v2/write?${params}`, Buffer.concat(body).toString(), {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    } catch (error) {
      if (error instanceof HttpError) {
        throw new InfluxWriteError(
          failureKindOf(error.statusCode),
          `HTTP ${error.statusCode}: ${serverMessage(error.body ?? error.message)}`,
          error.statusCode,
        );
      }
      throw new InfluxWriteError('retryable', (error as Error).message);
    }
  }

  ping(): Promise<boolean> {
    return answersPing(this.options.url, this.options.timeoutMs);
  }
}
