export { initConfigSchema, loadInitConfig, DEPLOY_INIT_ENV, type InitConfig } from './init/init-config.js';
export { serviceAccounts, type ServiceAccount } from './init/service-accounts.js';
export { syncCredentials, type SyncOutcome } from './init/sync-credentials.js';
export {
  composeGatewayConfig,
  composeGatewayFile,
  type ComposeGatewayEndpoints,
} from './compose-edge-config.js';
export { fillSecrets, randomSecret, SECRET_VARIABLES } from './generate-env.js';
export { buildDist, DEFAULT_OUT_DIR, PRODUCT_FOLDERS, type BuildOptions } from './build.js';
export { importedPackages, type ImportedPackages } from './imported-packages.js';
export { bundleDaemon } from './daemon-bundle.js';
export { issuePrivateCa, TLS_FILES, DEFAULT_SERVER_DAYS, type PrivateCaOptions } from './tls/private-ca.js';
export {
  backupConfigSchema,
  BACKUP_ENV,
  loadBackupConfig,
  configuredAreas,
  msUntil,
  type BackupConfig,
} from './backup/backup-config.js';
export {
  takeBackup,
  readBackup,
  listBackups,
  pruneBackups,
  type BackupSource,
} from './backup/platform-backup.js';
export { restoreBackup, type RestoreTarget } from './backup/platform-restore.js';
export { BACKUP_FORMAT_VERSION, parseManifest, type BackupManifest } from './backup/backup-manifest.js';
export { VILLAGE_PROCESS_ENV } from './village/process-env.js';
export {
  VILLAGE_MODULES,
  VILLAGE_ENV,
  villageConfigSchema,
  loadVillageConfig,
  type VillageModule,
  type VillageConfig,
} from './village/village-config.js';
export { VillageHost, type StartModule } from './village/village-host.js';
export { exitOnCrash, moduleOfStack } from './village/crash-exit.js';
