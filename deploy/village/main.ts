import { parseArgs } from 'node:util';
import { createLogger, runUntilSignalled } from '../../runtime/index.js';
import { exitOnCrash } from './crash-exit.js';
import { loadVillageConfig } from './village-config.js';
import { VillageHost } from './village-host.js';

/**
 * `node dist/deploy/village/main.js [--modules broker,ingest,alerting,edge] [--edge-config gateway.yaml]`:
 * a village's broker, ingest, alerting and gateway in one process (deploy/README.md). Each
 * reads its own variables as in its own process; VILLAGE_* variables name the modules and
 * each one's config file.
 */
const { values } = parseArgs({
  options: {
    modules: { type: 'string' },
    'broker-config': { type: 'string' },
    'ingest-config': { type: 'string' },
    'alerting-config': { type: 'string' },
    'edge-config': { type: 'string' },
  },
});
const logger = createLogger('village');
try {
  const config = loadVillageConfig({
    overrides: Object.fromEntries(
      Object.entries({
        modules: values.modules,
        'configFiles.broker': values['broker-config'],
        'configFiles.ingest': values['ingest-config'],
        'configFiles.alerting': values['alerting-config'],
        'configFiles.edge': values['edge-config'],
      }).filter(([, value]) => value !== undefined),
    ),
  });
  const host = new VillageHost(config, logger);
  exitOnCrash(logger, host);
  runUntilSignalled(logger, host);
} catch (error) {
  logger.fatal({ err: error }, 'cannot start the village process');
  process.exitCode = 1;
}
