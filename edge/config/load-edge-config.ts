import { loadConfig, type EnvMap } from '../../runtime/index.js';
import { edgeConfigSchema, type EdgeConfig } from './edge-config-schema.js';

/** Environment variables that override the config file (deployment secrets and ports). */
export const EDGE_ENV_MAP: EnvMap = {
  EDGE_UPSTREAM_URL: 'upstream.url',
  EDGE_UPSTREAM_FAILOVER_URLS: 'upstream.failoverUrls',
  EDGE_UPSTREAM_USERNAME: 'upstream.username',
  EDGE_UPSTREAM_PASSWORD: 'upstream.password',
  EDGE_HTTP_PORT: 'http.port',
  EDGE_HTTPS_CERT_FILE: 'http.https.certFile',
  EDGE_HTTPS_KEY_FILE: 'http.https.keyFile',
  EDGE_LAN_PORT: 'lan.port',
  EDGE_LAN_ALLOW_ANONYMOUS: 'lan.allowAnonymous',
  EDGE_LAN_CREDENTIALS_FILE: 'lan.credentialsFile',
  EDGE_DATA_DIR: 'dataDir',
  EDGE_PLATFORM_URL: 'platform.url',
  EDGE_PLATFORM_TOKEN: 'platform.token',
};

export interface LoadEdgeConfigOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  overrides?: Record<string, unknown>;
}

/** Reads, validates and freezes the gateway config; throws CONFIG_INVALID naming every bad field. */
export function loadEdgeConfig(options: LoadEdgeConfigOptions = {}): EdgeConfig {
  return loadConfig({
    schema: edgeConfigSchema(),
    file: options.file,
    envMap: EDGE_ENV_MAP,
    ...(options.env ? { env: options.env } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
  });
}
