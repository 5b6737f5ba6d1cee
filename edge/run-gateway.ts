import { createLogger, runUntilSignalled, startService, type ConfigSources } from '../runtime/index.js';
import { loadEdgeConfig } from './config/load-edge-config.js';
import { Gateway } from './gateway.js';

/** The gateway from its config (the file, then EDGE_* variables), logging as `edge` at LOG_LEVEL or the config's level. */
export function createGateway(sources: ConfigSources = {}): Gateway {
  const config = loadEdgeConfig({ file: sources.file, ...(sources.env ? { env: sources.env } : {}) });
  const level = (sources.env ?? process.env).LOG_LEVEL ?? config.logLevel;
  return new Gateway({ config, logger: createLogger('edge', { level }) });
}

/** Starts the gateway; the gateway returned is the handle that stops it. */
export function startGateway(sources: ConfigSources = {}): Promise<Gateway> {
  return startService(createGateway(sources));
}

/** Loads the config (EDGE_* variables override the file) and runs the gateway until SIGINT/SIGTERM. */
export function runGatewayFromFile(file: string | undefined): void {
  let gateway: Gateway;
  try {
    gateway = createGateway({ file });
  } catch (error) {
    createLogger('edge').fatal({ err: error }, 'invalid configuration');
    process.exit(1);
  }
  runUntilSignalled(gateway.logger, gateway);
}
