import type { Logger } from '../../runtime/index.js';
import type { StoragePolicy } from '../../storage/index.js';
import { InfluxWriteError, type PointWriter } from './point-writer.js';
import { detectServerVersion, parseVersion, selectWriteApi, type InfluxTarget } from './server-version.js';
import { setUpStorage } from './storage-setup.js';
import { V1PointWriter } from './v1-writer.js';
import { V2PointWriter } from './v2-writer.js';

export interface AutoWriterOptions extends InfluxTarget {
  timeoutMs: number;
  createDatabase: boolean;
  /** Retention and roll-ups to set up on an InfluxDB 1.x (storage-setup.ts). */
  retention?: StoragePolicy;
}

/**
 * Picks the write API from the server's `/ping` on first use, so ingest can start
 * before InfluxDB does; until the server answers, writes fail as retryable.
 */
export class AutoPointWriter implements PointWriter {
  private selected: PointWriter | undefined;

  constructor(
    private readonly options: AutoWriterOptions,
    private readonly logger: Logger,
  ) {}

  get description(): string {
    return this.selected?.description ?? 'InfluxDB (version not detected yet)';
  }

  async write(body: readonly Buffer[]): Promise<void> {
    const writer = this.selected ?? (await this.select());
    await writer.write(body);
  }

  async ping(): Promise<boolean> {
    if (this.selected) return this.selected.ping();
    try {
      await this.select();
      return true;
    } catch {
      return false;
    }
  }

  private async select(): Promise<PointWriter> {
    let version: string | undefined;
    try {
      version = await detectServerVersion(this.options.url, this.options.timeoutMs);
    } catch (error) {
      throw new InfluxWriteError(
        'retryable',
        `cannot reach ${this.options.url}/ping: ${(error as Error).message}`,
      );
    }
    let choice;
    try {
      choice = selectWriteApi(version, this.options);
    } catch (error) {
      throw new InfluxWriteError('retryable', (error as Error).message);
    }
    const v1 = new V1PointWriter({ ...this.options });
    const major = version === undefined ? undefined : parseVersion(version)?.[0];
    if (major === 1 && this.options.createDatabase) await v1.ensureDatabase();
    if (major === 1 && this.options.retention)
      await setUpStorage(this.options, this.options.retention, this.logger);
    const writer =
      choice.api === 'v1'
        ? v1
        : new V2PointWriter({
            url: this.options.url,
            token: choice.token,
            org: choice.org,
            bucket: choice.bucket,
            timeoutMs: this.options.timeoutMs,
          });
    this.logger.info(
      { version, api: choice.api, reason: choice.reason, writer: writer.description },
      'InfluxDB write API selected',
    );
    this.selected = writer;
    return writer;
  }
}
