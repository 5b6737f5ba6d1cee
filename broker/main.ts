import { parseArgs } from 'node:util';
import { createLogger, runUntilSignalled } from '../runtime/index.js';
import { createBroker } from './start-broker.js';

/** `tsx broker/main.ts [--config broker.yaml]`; environment variables override the file. */
const { values } = parseArgs({ options: { config: { type: 'string' } } });
const logger = createLogger('broker');
try {
  runUntilSignalled(logger, createBroker({ file: values.config }, logger));
} catch (error) {
  logger.fatal({ err: error }, 'cannot start broker');
  process.exitCode = 1;
}
