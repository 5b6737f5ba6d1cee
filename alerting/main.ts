import { createLogger, runUntilSignalled } from '../runtime/index.js';
import { createAlerting } from './service/start-alerting.js';

/** `tsx alerting/main.ts [config.yaml]` (or ALERTING_CONFIG); environment variables override the file. */
const logger = createLogger('alerting');
const file = process.argv[2] ?? process.env.ALERTING_CONFIG;
runUntilSignalled(logger, createAlerting({ file }, logger));
