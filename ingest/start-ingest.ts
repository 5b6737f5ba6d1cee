import { createLogger, startService, type ConfigSources, type Logger } from '../runtime/index.js';
import { loadIngestConfig } from './config.js';
import { IngestService } from './ingest-service.js';

/** Ingest from its own config (the file, then INGEST_* and INFLUX_* variables), logging as `ingest`. */
export function createIngest(
  sources: ConfigSources = {},
  logger: Logger = createLogger('ingest', { level: sources.env?.LOG_LEVEL }),
): IngestService {
  return new IngestService(loadIngestConfig({ file: sources.file, env: sources.env }), { logger });
}

/** Starts ingest; the service returned is the handle that stops it. */
export function startIngest(sources: ConfigSources = {}): Promise<IngestService> {
  return startService(createIngest(sources));
}
