import { createLogger } from '../../runtime/index.js';
import { loadInitConfig } from './init-config.js';
import { serviceAccounts } from './service-accounts.js';
import { syncCredentials } from './sync-credentials.js';

/** `node --import tsx deploy/init/main.ts`: the compose file's one-shot `init` service. */
const logger = createLogger('deploy-init');
try {
  const config = loadInitConfig();
  const outcomes = await syncCredentials(config.credentialsFile, serviceAccounts(config));
  logger.info({ file: config.credentialsFile, accounts: outcomes }, 'broker credentials ready');
} catch (error) {
  logger.fatal({ err: error }, 'cannot prepare broker credentials');
  process.exitCode = 1;
}
