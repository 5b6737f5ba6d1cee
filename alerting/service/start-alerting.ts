import { createLogger, startService, type ConfigSources, type Logger } from '../../runtime/index.js';
import { AlertingService } from './alerting-service.js';
import { loadAlertingConfig } from './config.js';

/** Alerting from its own config (the file, then ALERTING_* and INFLUX_* variables), logging as `alerting`. */
export function createAlerting(
  sources: ConfigSources = {},
  logger: Logger = createLogger('alerting', { level: sources.env?.LOG_LEVEL }),
): AlertingService {
  return new AlertingService(loadAlertingConfig({ file: sources.file, env: sources.env }), { logger });
}

/** Starts alerting; the service returned is the handle that stops it. */
export function startAlerting(sources: ConfigSources = {}): Promise<AlertingService> {
  return startService(createAlerting(sources));
}
