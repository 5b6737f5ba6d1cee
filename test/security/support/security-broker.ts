import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addCredential,
  BrokerService,
  brokerConfigSchema,
  type AddCredentialInput,
  type BrokerConfigInput,
} from '../../../broker/index.js';
import { createLogger, type Logger } from '../../../runtime/index.js';

export interface SecurityBroker {
  service: BrokerService;
  credentialsFile: string;
  close(): Promise<void>;
}

export const quietLogger = (): Logger =>
  createLogger('security-test', { level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A broker on free loopback ports with these users in a fresh credentials file. */
export async function startSecurityBroker(
  users: readonly AddCredentialInput[],
  config: Partial<BrokerConfigInput> = {},
  logger: Logger = quietLogger(),
): Promise<SecurityBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'security-broker-'));
  const credentialsFile = join(dir, 'credentials.json');
  for (const user of users) await addCredential(credentialsFile, user);
  const service = new BrokerService(
    brokerConfigSchema.parse({
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      credentialsFile,
      persistence: { dir: join(dir, 'sessions') },
      ...config,
    }),
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
    credentialsFile,
    async close() {
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
