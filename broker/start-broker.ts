import { createLogger, loadConfig, startService, type ConfigSources, type Logger } from '../runtime/index.js';
import { BrokerService } from './broker-service.js';
import { brokerConfigSchema, brokerEnvMap } from './config.js';

/** The broker from its own config (the file, then BROKER_* variables), logging as `broker`. */
export function createBroker(
  sources: ConfigSources = {},
  logger: Logger = createLogger('broker', { level: sources.env?.LOG_LEVEL }),
): BrokerService {
  const config = loadConfig({
    schema: brokerConfigSchema,
    file: sources.file,
    envMap: brokerEnvMap,
    ...(sources.env ? { env: sources.env } : {}),
  });
  return new BrokerService(config, { logger });
}

/** Starts the broker; the service returned is the handle that stops it. */
export function startBroker(sources: ConfigSources = {}): Promise<BrokerService> {
  return startService(createBroker(sources));
}
