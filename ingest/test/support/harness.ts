import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { deadLetterSchema, topics, type DeadLetter } from '../../../contracts/index.js';
import { createLogger, waitFor } from '../../../runtime/index.js';
import { ManagedInfluxd, rowsOf } from '../../../stack/index.js';
import { loadIngestConfig } from '../../config.js';
import { IngestService } from '../../ingest-service.js';
import { rowWithFields } from '../../../test/support/index.js';

export const SITE = 'demo-village';
export const GATEWAY = 'gw-center';
export const DATABASE = 'village';

/** A bare aedes on a free loopback port: a real MQTT broker over TCP. */
export { BareBroker as TestBroker, rowWithFields } from '../../../test/support/index.js';

export class TestClient {
  constructor(readonly client: MqttClient) {}

  static async connect(url: string): Promise<TestClient> {
    const client = connect(url, { reconnectPeriod: 200 });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    return new TestClient(client);
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    const body = Buffer.isBuffer(payload) || typeof payload === 'string' ? payload : JSON.stringify(payload);
    await this.client.publishAsync(topic, body, { qos: 1 });
  }

  /** Collects dead letters published by ingest. */
  async deadLetters(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    this.client.on('message', (topic, payload) => {
      if (topic === topics.deadLetter('ingest'))
        letters.push(deadLetterSchema.parse(JSON.parse(payload.toString())));
    });
    await this.client.subscribeAsync(topics.deadLetter('ingest'), { qos: 1 });
    return letters;
  }

  async end(): Promise<void> {
    await this.client.endAsync(true);
  }
}

export class TestInflux {
  readonly dir = mkdtempSync(join(tmpdir(), 'ingest-influx-'));
  readonly influxd = new ManagedInfluxd({ dataDir: this.dir });

  async start(): Promise<void> {
    await this.influxd.start();
  }

  async rows(query: string): Promise<Array<Record<string, unknown>>> {
    const result = await this.influxd.query(DATABASE, query);
    if (result.results.some((r) => r.error?.includes('database not found'))) return [];
    return rowsOf(result);
  }

  /** The first row of `query` that has every one of `fields` (a whole point, see `rowWithFields`). */
  async point(query: string, fields: readonly string[]): Promise<Record<string, unknown> | undefined> {
    return rowWithFields(await this.rows(query), fields);
  }

  async count(query: string): Promise<number> {
    const rows = await this.rows(query);
    return Number(rows[0]?.count ?? 0);
  }

  async stop(): Promise<void> {
    await this.influxd.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface IngestUnderTest {
  service: IngestService;
  deadLetterFile: string;
  dir: string;
  baseUrl: string;
}

export async function startIngest(
  brokerUrl: string,
  influxUrl: string,
  overrides: Record<string, unknown> = {},
  dir = mkdtempSync(join(tmpdir(), 'ingest-')),
): Promise<IngestUnderTest> {
  const deadLetterFile = join(dir, 'dead-letter.jsonl');
  const config = loadIngestConfig({
    env: {},
    overrides: {
      'mqtt.url': brokerUrl,
      'influx.url': influxUrl,
      'http.port': 0,
      deadLetterFile,
      flushIntervalMs: 100,
      maxBackoffMs: 500,
      ...overrides,
    },
  });
  const logger = createLogger('ingest-test', { level: process.env.LOG_LEVEL ?? 'silent' });
  const service = new IngestService(config, { logger, drainTimeoutMs: 1000 });
  await service.start();
  await waitFor('ingest connected to the broker', () => service.mqttConnected, { timeoutMs: 10_000 });
  return { service, deadLetterFile, dir, baseUrl: `http://127.0.0.1:${service.httpPort}` };
}

export function readDeadLetterFile(file: string): DeadLetter[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => deadLetterSchema.parse(JSON.parse(line)));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const telemetryTopic = (device: string) => topics.telemetry(SITE, GATEWAY, device);
export const eventTopic = (device: string) => topics.event(SITE, GATEWAY, device);
