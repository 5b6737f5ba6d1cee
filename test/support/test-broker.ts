import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addCredential,
  BrokerService,
  brokerConfigSchema,
  type AddCredentialInput,
  type BrokerConfig,
  type BrokerConfigInput,
} from '../../broker/index.js';
import { createLogger, type Logger } from '../../runtime/index.js';

/** A logger that says nothing unless TEST_LOG_LEVEL asks. */
export const quietLogger = (name = 'broker-test'): Logger =>
  createLogger(name, { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A broker's config on loopback and free ports, over these files, with `config` on top. */
export function testBrokerConfig(
  files: { credentialsFile: string; sessionsDir: string },
  config: Partial<BrokerConfigInput> = {},
): BrokerConfig {
  return brokerConfigSchema.parse({
    mqtt: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    credentialsFile: files.credentialsFile,
    persistence: { dir: files.sessionsDir },
    ...config,
  });
}

export interface TestBroker {
  service: BrokerService;
  dir: string;
  credentialsFile: string;
  close(): Promise<void>;
}

/** An in-process broker on free loopback ports with these users in a fresh temp folder. */
export async function startTestBroker(
  users: readonly AddCredentialInput[],
  config: Partial<BrokerConfigInput> = {},
  logger: Logger = quietLogger(),
): Promise<TestBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'test-broker-'));
  const credentialsFile = join(dir, 'credentials.json');
  for (const user of users) await addCredential(credentialsFile, user);
  const service = new BrokerService(
    testBrokerConfig({ credentialsFile, sessionsDir: join(dir, 'sessions') }, config),
    { logger },
  );
  try {
    await service.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    service,
    dir,
    credentialsFile,
    async close() {
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
