import { createLogger, runUntilSignalled } from '../runtime/index.js';
import { createReports } from './service/start-reports.js';

/** `npm run reports` (or `node dist/reports/main.js`): the report API and the monthly e-mail. */
const logger = createLogger('reports');
const file =
  process.argv.indexOf('--config') > 0 ? process.argv[process.argv.indexOf('--config') + 1] : undefined;
runUntilSignalled(logger, createReports({ file }, logger));
