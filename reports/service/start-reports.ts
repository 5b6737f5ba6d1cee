import { createLogger, startService, type ConfigSources, type Logger } from '../../runtime/index.js';
import { loadReportsConfig } from '../config.js';
import { ReportsService } from './reports-service.js';

/** Reports from its own config (the file, then REPORTS_* and INFLUX_* variables), logging as `reports`. */
export function createReports(
  sources: ConfigSources = {},
  logger: Logger = createLogger('reports', { level: sources.env?.LOG_LEVEL }),
): ReportsService {
  return new ReportsService(loadReportsConfig({ file: sources.file, env: sources.env }), { logger });
}

/** Starts reports; the service returned is the handle that stops it. */
export function startReports(sources: ConfigSources = {}): Promise<ReportsService> {
  return startService(createReports(sources));
}
