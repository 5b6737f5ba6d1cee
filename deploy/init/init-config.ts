import { z } from 'zod';
import { DEFAULT_CREDENTIALS_FILE, MIN_PASSWORD_LENGTH } from '../../broker/index.js';
import { configStringList, loadConfig, type EnvMap } from '../../runtime/index.js';
import { DEMO_SITE_FILE } from '../../site/index.js';

const password = z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`);
const account = (username: string) =>
  z.strictObject({ username: z.string().min(1).default(username), password });

/**
 * The one-shot `init` container of docker-compose.yml: the broker accounts the other
 * containers log in with. The variable names are the ones those services read, so one
 * value in `.env` feeds both sides.
 */
export const initConfigSchema = z.strictObject({
  credentialsFile: z.string().min(1).default(DEFAULT_CREDENTIALS_FILE),
  /** Sites that ingest and alerting may read; the gateway's site is looked up in them. */
  siteFiles: configStringList().pipe(z.array(z.string()).min(1)).default([DEMO_SITE_FILE]),
  /** The compose file's edge gateway; the first gateway of the first site when omitted. */
  gatewayId: z.string().min(1).optional(),
  ingest: account('ingest'),
  alerting: account('alerting'),
  /** The gateway's username defaults to its gateway id, as `broker/cli.ts add` examples do. */
  gateway: z.strictObject({ username: z.string().min(1).optional(), password }),
});

export type InitConfig = z.infer<typeof initConfigSchema>;

export const DEPLOY_INIT_ENV: EnvMap = {
  BROKER_CREDENTIALS_FILE: 'credentialsFile',
  INIT_SITE_FILES: 'siteFiles',
  INIT_GATEWAY_ID: 'gatewayId',
  INGEST_MQTT_USERNAME: 'ingest.username',
  INGEST_MQTT_PASSWORD: 'ingest.password',
  ALERTING_MQTT_USERNAME: 'alerting.username',
  ALERTING_MQTT_PASSWORD: 'alerting.password',
  EDGE_UPSTREAM_USERNAME: 'gateway.username',
  EDGE_UPSTREAM_PASSWORD: 'gateway.password',
};

export function loadInitConfig(options: { env?: NodeJS.ProcessEnv } = {}): Readonly<InitConfig> {
  return loadConfig({ schema: initConfigSchema, envMap: DEPLOY_INIT_ENV, ...options });
}
