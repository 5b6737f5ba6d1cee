import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertingService, alertingConfigSchema } from '../../../alerting/index.js';
import type { Logger } from '../../../runtime/index.js';
import { quietLogger } from '../../support/index.js';

export interface SecurityAlerting {
  service: AlertingService;
  close(): Promise<void>;
}

/**
 * An alerting service on a free loopback port with the demo site and rules, its
 * data in a fresh temp dir, and `config` on top (API tokens, MQTT, HTTPS).
 */
export async function startSecurityAlerting(
  config: Record<string, unknown>,
  logger: Logger = quietLogger(),
): Promise<SecurityAlerting> {
  const dataDir = await mkdtemp(join(tmpdir(), 'security-alerting-'));
  const service = new AlertingService(
    alertingConfigSchema.parse({
      http: { host: '127.0.0.1', port: 0 },
      dataDir,
      notifications: { publishMqtt: false },
      ...config,
    }),
    { logger },
  );
  try {
    await service.start();
  } catch (error) {
    await service.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    service,
    async close() {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
