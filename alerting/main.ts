import { createLogger, runUntilSignalled } from '../runtime/index.js';
import { AlertingService } from './service/alerting-service.js';
import { loadAlertingConfig } from './service/config.js';

/** `tsx alerting/main.ts [config.yaml]` (or ALERTING_CONFIG); environment variables override the file. */
const logger = createLogger('alerting');
const file = process.argv[2] ?? process.env.ALERTING_CONFIG;
const config = loadAlertingConfig(file ? { file } : {});
runUntilSignalled(logger, new AlertingService(config, { logger }));
