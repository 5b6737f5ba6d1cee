import { Command } from 'commander';
import { createLogger, runUntilSignalled } from '../runtime/index.js';
import type { EdgeConfig } from './config/edge-config-schema.js';
import { loadEdgeConfig } from './config/load-edge-config.js';
import { Gateway } from './gateway.js';

const program = new Command()
  .name('edge')
  .description(
    'Edge gateway: polls Modbus meters, bridges LAN MQTT devices, publishes canonical messages upstream',
  )
  .option('-c, --config <file>', 'YAML config file (EDGE_* environment variables override it)')
  .parse();

function loadOrExit(file: string | undefined): EdgeConfig {
  try {
    return loadEdgeConfig({ file });
  } catch (error) {
    createLogger('edge').fatal({ err: error }, 'invalid configuration');
    process.exit(1);
  }
}

const config = loadOrExit(program.opts<{ config?: string }>().config);
const logger = createLogger('edge', { level: process.env.LOG_LEVEL ?? config.logLevel });
runUntilSignalled(logger, new Gateway({ config, logger }));
