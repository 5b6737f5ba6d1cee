import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { deadLetterSchema, type DeadLetter } from '../contracts/index.js';
import type { Logger } from '../runtime/index.js';
import type { IngestMetrics } from './metrics.js';
import type { Rejection } from './validation/rejection.js';

/** How much of a refused payload a dead letter keeps, so a technician can see what arrived. */
const PAYLOAD_PREFIX_BYTES = 1024;

export interface DeadLetterSinkOptions {
  file: string;
  /** The file is renamed to `<file>.1` (replacing the previous one) when it would grow past this. */
  maxBytes: number;
  /** Publishes on the dead-letter topic (QoS 1); must not throw. */
  publish: (letter: DeadLetter) => void;
  logger: Logger;
  metrics: IngestMetrics;
  /** Told of every rejection (the per-gateway rejection board). */
  onRecord?: (topic: string, rejection: Rejection) => void;
}

/**
 * Every refused message or batch item ends up here: counted by code, logged at
 * warn, published on `ops/deadletter/ingest` and appended to a JSONL file. `record`
 * resolves when the line is on disk; the caller acknowledges the MQTT message after that.
 */
export class DeadLetterSink {
  private writes: Promise<void> = Promise.resolve();
  private fileBytes: number | undefined;

  constructor(private readonly options: DeadLetterSinkOptions) {}

  record(topic: string, rejection: Rejection): Promise<void> {
    const letter = deadLetterSchema.parse({
      ts: Date.now(),
      service: 'ingest',
      reason: rejection.reason,
      code: rejection.code,
      topic: topic.slice(0, 1024),
      payload_base64: rejection.payload.subarray(0, PAYLOAD_PREFIX_BYTES).toString('base64'),
      payload_bytes: rejection.payload.length,
      issues: rejection.issues,
    });
    this.options.metrics.invalid.inc({ code: letter.code });
    this.options.onRecord?.(topic, rejection);
    this.options.logger.warn(
      { code: letter.code, topic: letter.topic, reason: letter.reason, issues: letter.issues },
      'message dead-lettered',
    );
    this.options.publish(letter);
    const line = `${JSON.stringify(letter)}\n`;
    this.writes = this.writes.then(
      () => this.append(line),
      () => this.append(line),
    );
    return this.writes.catch((error: unknown) => {
      this.options.logger.error(
        { err: error, file: this.options.file },
        'cannot append to the dead-letter file',
      );
    });
  }

  /** Resolves when every record so far is on disk. */
  async flush(): Promise<void> {
    await this.writes.catch(() => undefined);
  }

  private async append(line: string): Promise<void> {
    const { file, maxBytes } = this.options;
    if (this.fileBytes === undefined) {
      await mkdir(dirname(file), { recursive: true });
      this.fileBytes = await stat(file).then(
        (s) => s.size,
        () => 0,
      );
    }
    const bytes = Buffer.byteLength(line);
    if (this.fileBytes > 0 && this.fileBytes + bytes > maxBytes) {
      await rename(file, `${file}.1`);
      this.fileBytes = 0;
    }
    await appendFile(file, line);
    this.fileBytes += bytes;
  }
}
