import { createLogger, runUntilSignalled } from '../../runtime/index.js';
import { loadBackupConfig } from './backup-config.js';
import { BackupService } from './backup-service.js';

/** `node dist/deploy/backup/main.js`: the compose file's daily backup service. */
const logger = createLogger('backup');
try {
  runUntilSignalled(logger, new BackupService(loadBackupConfig(), { logger }));
} catch (error) {
  logger.fatal({ err: error }, 'cannot start the backup service');
  process.exitCode = 1;
}
