import { z } from 'zod';
import { configNumber, configStringList, loadConfig, type EnvMap } from '../../runtime/index.js';
import { DEMO_SITE_FILE } from '../../site/index.js';
import { enginePolicySchema } from '../engine/engine-policy.js';
import { DEFAULT_RULES_FILE } from '../rules/load-rules.js';
import { notificationsSchema, type NotificationsConfig } from '../notify/channel-config.js';

const tokenSchema = z.string().min(16, 'API tokens must be at least 16 characters');

export const alertingConfigSchema = z.strictObject({
  mqtt: z
    .strictObject({
      url: z
        .string()
        .regex(/^mqtts?:\/\//, 'must be an mqtt:// or mqtts:// URL')
        .default('mqtt://127.0.0.1:1883'),
      username: z.string().optional(),
      password: z.string().optional(),
      /** Fixed, so the broker keeps the persistent session (and queued QoS 1 messages) across restarts. */
      clientId: z.string().min(1).max(64).default('alerting'),
    })
    .default({ url: 'mqtt://127.0.0.1:1883', clientId: 'alerting' }),
  sites: z
    .strictObject({ files: configStringList().pipe(z.array(z.string()).min(1)) })
    .default({ files: [DEMO_SITE_FILE] }),
  rules: z
    .strictObject({
      files: z.array(z.string()).min(1).default([DEFAULT_RULES_FILE]),
      /** Per-site overrides merged on top by rule id. */
      overrides: z.array(z.string()).default([]),
    })
    .default({ files: [DEFAULT_RULES_FILE], overrides: [] }),
  notifications: notificationsSchema.default(notificationsSchema.parse({})),
  /** Shortcut: one webhook contact that receives every alert. */
  webhookUrl: z.url().optional(),
  webhookSecret: z.string().min(16).optional(),
  influx: z
    .strictObject({
      url: z.url().optional(),
      database: z
        .string()
        .regex(/^[A-Za-z0-9_-]+$/)
        .default('village'),
      username: z.string().optional(),
      password: z.string().optional(),
    })
    .default({ database: 'village' }),
  http: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: configNumber().pipe(z.number().int().min(0).max(65535)).default(9105),
    })
    .default({ host: '127.0.0.1', port: 9105 }),
  /** Where people reach the API, for the "how to acknowledge" line; defaults to http://host:port. */
  publicUrl: z.url().optional(),
  api: z
    .strictObject({ tokens: z.array(tokenSchema).default([]), token: tokenSchema.optional() })
    .default({ tokens: [] })
    .refine(
      (api) => api.tokens.length > 0 || api.token !== undefined,
      'give at least one API token (ALERTING_API_TOKEN)',
    ),
  dataDir: z.string().min(1).default('./data/alerting'),
  tickMs: configNumber().pipe(z.number().int().min(10).max(60_000)).default(1_000),
  engine: enginePolicySchema.default(enginePolicySchema.parse({})),
  journal: z
    .strictObject({ compactAfterLines: z.number().int().min(100).default(20_000) })
    .default({ compactAfterLines: 20_000 }),
});

export type AlertingConfig = z.infer<typeof alertingConfigSchema>;

export const ALERTING_ENV: EnvMap = {
  ALERTING_MQTT_URL: 'mqtt.url',
  ALERTING_MQTT_USERNAME: 'mqtt.username',
  ALERTING_MQTT_PASSWORD: 'mqtt.password',
  ALERTING_MQTT_CLIENT_ID: 'mqtt.clientId',
  ALERTING_HTTP_HOST: 'http.host',
  ALERTING_HTTP_PORT: 'http.port',
  ALERTING_PUBLIC_URL: 'publicUrl',
  ALERTING_DATA_DIR: 'dataDir',
  ALERTING_SITE_FILES: 'sites.files',
  INFLUX_URL: 'influx.url',
  INFLUX_DATABASE: 'influx.database',
  INFLUX_USERNAME: 'influx.username',
  INFLUX_PASSWORD: 'influx.password',
  ALERTING_API_TOKEN: 'api.token',
  ALERTING_WEBHOOK_URL: 'webhookUrl',
  ALERTING_WEBHOOK_SECRET: 'webhookSecret',
};

export function loadAlertingConfig(
  options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {},
): AlertingConfig {
  return loadConfig({ schema: alertingConfigSchema, envMap: ALERTING_ENV, ...options });
}

export function apiTokens(config: AlertingConfig): string[] {
  return [...config.api.tokens, ...(config.api.token ? [config.api.token] : [])];
}

/** The notification config with the ALERTING_WEBHOOK_URL shortcut folded in as a contact, group and catch-all route. */
export function effectiveNotifications(config: AlertingConfig): NotificationsConfig {
  const base = config.notifications;
  if (!config.webhookUrl) return base;
  return {
    ...base,
    contacts: [
      ...base.contacts,
      {
        id: 'env-webhook',
        name: 'ALERTING_WEBHOOK_URL',
        language: 'zh',
        channels: [
          {
            type: 'webhook',
            url: config.webhookUrl,
            ...(config.webhookSecret ? { secret: config.webhookSecret } : {}),
          },
        ],
      },
    ],
    groups: [...base.groups, { id: 'env-webhook', contacts: ['env-webhook'] }],
    routes: [
      ...base.routes,
      { severities: [], zones: [], rules: [], groups: ['env-webhook'], escalateTo: ['env-webhook'] },
    ],
  };
}
