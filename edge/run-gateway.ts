import { createLogger, runUntilSignalled } from '../runtime/index.js';
import type { EdgeConfig } from './config/edge-config-schema.js';
import { loadEdgeConfig } from './config/load-edge-config.js';
import { Gateway } from './gateway.js';

/** Loads the config (EDGE_* variables override the file) and runs the gateway until SIGINT/SIGTERM. */
export function runGatewayFromFile(file: string | undefined): void {
  let config: EdgeConfig;
  try {
    config = loadEdgeConfig({ file });
  } catch (error) {
    createLogger('edge').fatal({ err: error }, 'invalid configuration');
    process.exit(1);
  }
  const logger = createLogger('edge', { level: process.env.LOG_LEVEL ?? config.logLevel });
  runUntilSignalled(logger, new Gateway({ config, logger }));
}
