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
