import { Command } from 'commander';
import { createLogger, runUntilSignalled } from '../runtime/index.js';
import { createIngest } from './start-ingest.js';

const program = new Command('ingest')
  .description('MQTT → validation → InfluxDB ingest service')
  .option('-c, --config <file>', 'YAML config file (environment variables override it)')
  .parse();

const { config: file } = program.opts<{ config?: string }>();
const logger = createLogger('ingest');
try {
  runUntilSignalled(logger, createIngest({ file }, logger));
} catch (error) {
  logger.fatal({ err: error }, 'cannot start ingest');
  process.exitCode = 1;
}
