import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createLogger } from '../../../runtime/index.js';
import { edgeConfigSchema, type EdgeConfig, type EdgeConfigInput } from '../../config/edge-config-schema.js';
import { Gateway } from '../../gateway.js';

export const testLogger = createLogger('edge-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'edge-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A config with free ports (0) and test-friendly defaults; `input` overrides any of it. */
export function testConfig(
  upstreamUrl: string,
  dataDir: string,
  input: Partial<EdgeConfigInput> = {},
): EdgeConfig {
  return edgeConfigSchema().parse(testConfigInput(upstreamUrl, dataDir, input));
}

/** testConfig's config as the YAML file a gateway process reads (GatewayProcess). */
export async function writeTestConfig(
  file: string,
  upstreamUrl: string,
  dataDir: string,
  input: Partial<EdgeConfigInput> = {},
): Promise<void> {
  await writeFile(file, stringify(testConfigInput(upstreamUrl, dataDir, input)));
}

function testConfigInput(
  upstreamUrl: string,
  dataDir: string,
  input: Partial<EdgeConfigInput>,
): EdgeConfigInput {
  return {
    site: 'test-site',
    gateway: 'gw-test',
    upstream: { url: upstreamUrl, reconnectMs: 200 },
    lan: { enabled: false, port: 0 },
    http: { port: 0 },
    dataDir,
    healthIntervalS: 3600,
    // These tests follow each reading on its device's topic; batch-publish.test.ts covers batches.
    publish: { mode: 'per-device' },
    ...input,
  };
}

export async function startGateway(config: EdgeConfig): Promise<Gateway> {
  const gateway = new Gateway({ config, logger: testLogger });
  await gateway.start();
  return gateway;
}
