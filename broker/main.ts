import { parseArgs } from 'node:util';
import { createLogger, loadConfig, runUntilSignalled } from '../runtime/index.js';
import { BrokerService } from './broker-service.js';
import { brokerConfigSchema, brokerEnvMap } from './config.js';

/** `tsx broker/main.ts [--config broker.yaml]`; environment variables override the file. */
const { values } = parseArgs({ options: { config: { type: 'string' } } });
const logger = createLogger('broker');
try {
  const config = loadConfig({ schema: brokerConfigSchema, file: values.config, envMap: brokerEnvMap });
  runUntilSignalled(logger, new BrokerService(config, { logger }));
} catch (error) {
  logger.fatal({ err: error }, 'cannot start broker');
  process.exitCode = 1;
}
