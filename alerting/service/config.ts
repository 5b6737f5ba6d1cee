import { z } from 'zod';
import {
  configBoolean,
  configNumber,
  configStringList,
  httpsFilesSchema,
  loadConfig,
  type EnvMap,
} from '../../runtime/index.js';
import { idSchema } from '../../contracts/index.js';
import { DEMO_SITE_FILE } from '../../site/index.js';
import { API_SCOPES } from '../api/api-scopes.js';
import { personSeedSchema } from '../people/person-schema.js';
import { rosterSchema } from '../people/roster-schema.js';
import type { ApiToken } from '../api/bearer-auth.js';
import { enginePolicySchema } from '../engine/engine-policy.js';
import { DEFAULT_RULES_FILE } from '../rules/load-rules.js';
import { notificationsSchema, type NotificationsConfig } from '../notify/channel-config.js';

const tokenSchema = z.string().min(16, 'API tokens must be at least 16 characters');

/** A bare string is an admin token (as before scopes existed); an object names its scopes. */
const apiTokenSchema = z.union([
  tokenSchema,
  z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (at most 64)'),
    token: tokenSchema,
    scopes: z.array(z.enum(API_SCOPES)).min(1),
  }),
]);

const positiveInt = (fallback: number) => configNumber().pipe(z.number().int().min(1)).default(fallback);

/** Per token (or, without a known token, per client address) over `windowMs`; /healthz, /readyz, /metrics are exempt. */
const apiRateLimitSchema = z
  .strictObject({
    enabled: configBoolean().default(true),
    max: positiveInt(600),
    unauthenticatedMax: positiveInt(30),
    windowMs: positiveInt(60_000),
  })
  .prefault({});

/** The operators' page, its sessions and the one-tap links in notifications (alerting/page, alerting/links). */
const pageSchema = z
  .strictObject({
    /** Key of links, sessions and CSRF tokens; when missing, one is generated in dataDir/page-secret (mode 0600). */
    secret: z.string().min(32, 'at least 32 characters, e.g. `openssl rand -base64 32`').optional(),
    /** How long a link in a notification stays valid. */
    linkTtlS: configNumber()
      .pipe(
        z
          .number()
          .int()
          .min(60)
          .max(7 * 24 * 3600),
      )
      .default(24 * 3600),
    /** How long a log-in lasts on a phone. */
    sessionTtlS: configNumber()
      .pipe(
        z
          .number()
          .int()
          .min(300)
          .max(90 * 24 * 3600),
      )
      .default(14 * 24 * 3600),
    /** Failed log-ins and link checks allowed per client address per minute. */
    loginAttemptsPerMinute: positiveInt(10),
    /** The first admin: created with this password when no account has this id yet (ALERTING_ADMIN_PASSWORD). */
    admin: z
      .strictObject({
        id: idSchema.default('admin'),
        name: z.string().trim().min(1).max(64).default('管理员'),
        password: z.string().min(12, 'at least 12 characters').optional(),
      })
      .prefault({}),
  })
  .prefault({});

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$/i;
const ANY_ADDRESS = /^(0\.0\.0\.0|\[?::\]?)$/;

/** Whether a host name or address only reaches this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.test(host) || host.endsWith('.localhost');
}

/** Whether a URL's host cannot reach this server from a phone: loopback, or the "any address" of a listener. */
function unreachableFromElsewhere(host: string): boolean {
  return isLoopbackHost(host) || ANY_ADDRESS.test(host);
}

export const alertingConfigSchema = z
  .strictObject({
    mqtt: z
      .strictObject({
        url: z
          .string()
          .regex(/^mqtts?:\/\//, 'must be an mqtt:// or mqtts:// URL')
          .default('mqtt://127.0.0.1:1883'),
        /** Other nodes of a broker cluster, tried in turn when the current one is unreachable. */
        failoverUrls: configStringList()
          .pipe(z.array(z.string().regex(/^mqtts?:\/\//, 'must be an mqtt:// or mqtts:// URL')))
          .default([]),
        username: z.string().optional(),
        password: z.string().optional(),
        /** Fixed, so the broker keeps the persistent session (and queued QoS 1 messages) across restarts. */
        clientId: z.string().min(1).max(64).default('alerting'),
      })
      .prefault({}),
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
        /** Serve the API and probes over HTTPS with these PEM files. */
        https: httpsFilesSchema.optional(),
      })
      .default({ host: '127.0.0.1', port: 9105 }),
    /**
     * Where people's phones reach this service: the base of every link in a notification.
     * Defaults to http://host:port only while the service listens on loopback (a laptop);
     * see `checkPublicUrl`.
     */
    publicUrl: z
      .url()
      .refine((url) => /^https?:\/\//.test(url), 'must be an http:// or https:// URL')
      .optional(),
    page: pageSchema,
    api: z
      .strictObject({
        tokens: z.array(apiTokenSchema).default([]),
        /** The single admin token of ALERTING_API_TOKEN. */
        token: tokenSchema.optional(),
        rateLimit: apiRateLimitSchema,
      })
      .prefault({})
      .refine(
        (api) => api.tokens.length > 0 || api.token !== undefined,
        'give at least one API token (ALERTING_API_TOKEN)',
      )
      .refine((api) => new Set(namedTokens(api).map((t) => t.name)).size === namedTokens(api).length, {
        message: 'API token names must be unique',
        path: ['tokens'],
      }),
    /** Accounts to create or update on the page (no passwords here); applied when this list changes. */
    people: z.array(personSeedSchema).default([]),
    /** Duty roster per site id; applied when it changes, editable by admins on the page in between. */
    roster: rosterSchema.default({}),
    silences: z
      .strictObject({
        /** The longest silence or maintenance window anyone may set (API and page). */
        maxDurationS: configNumber()
          .pipe(
            z
              .number()
              .int()
              .min(60)
              .max(90 * 24 * 3600),
          )
          .default(7 * 24 * 3600),
      })
      .prefault({}),
    dataDir: z.string().min(1).default('./data/alerting'),
    tickMs: configNumber().pipe(z.number().int().min(10).max(60_000)).default(1_000),
    engine: enginePolicySchema.default(enginePolicySchema.parse({})),
    journal: z
      .strictObject({ compactAfterLines: z.number().int().min(100).default(20_000) })
      .default({ compactAfterLines: 20_000 }),
  })
  .superRefine(checkPublicUrl);

/**
 * A deployed service is one that listens beyond loopback (`http.host` is not 127.0.0.1,
 * ::1 or localhost): other machines reach it, so the links it sends must name an address
 * they can reach. There, `publicUrl` (ALERTING_PUBLIC_URL) is required and may not be
 * localhost or a loopback address. A laptop's `npm start` listens on 127.0.0.1 and may
 * link to it.
 */
function checkPublicUrl(
  config: { http: { host: string }; publicUrl?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (isLoopbackHost(config.http.host)) return;
  if (config.publicUrl === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['publicUrl'],
      message: `the service listens on ${config.http.host}, so phones need its address: set ALERTING_PUBLIC_URL (e.g. https://alerts.village.example or http://192.168.1.10:9105)`,
    });
    return;
  }
  const host = new URL(config.publicUrl).hostname;
  if (unreachableFromElsewhere(host))
    ctx.addIssue({
      code: 'custom',
      path: ['publicUrl'],
      message: `"${host}" only reaches the server itself, not an operator's phone: set ALERTING_PUBLIC_URL to the server's name or LAN address`,
    });
}

export type AlertingConfig = z.infer<typeof alertingConfigSchema>;

export const ALERTING_ENV: EnvMap = {
  ALERTING_MQTT_URL: 'mqtt.url',
  ALERTING_MQTT_FAILOVER_URLS: 'mqtt.failoverUrls',
  ALERTING_MQTT_USERNAME: 'mqtt.username',
  ALERTING_MQTT_PASSWORD: 'mqtt.password',
  ALERTING_MQTT_CLIENT_ID: 'mqtt.clientId',
  ALERTING_HTTP_HOST: 'http.host',
  ALERTING_HTTP_PORT: 'http.port',
  ALERTING_PUBLIC_URL: 'publicUrl',
  ALERTING_PAGE_SECRET: 'page.secret',
  ALERTING_ADMIN_PASSWORD: 'page.admin.password',
  ALERTING_LINK_TTL_S: 'page.linkTtlS',
  ALERTING_SILENCE_MAX_DURATION_S: 'silences.maxDurationS',
  ALERTING_DATA_DIR: 'dataDir',
  ALERTING_SITE_FILES: 'sites.files',
  INFLUX_URL: 'influx.url',
  INFLUX_DATABASE: 'influx.database',
  INFLUX_USERNAME: 'influx.username',
  INFLUX_PASSWORD: 'influx.password',
  ALERTING_API_TOKEN: 'api.token',
  ALERTING_API_RATE_LIMIT_ENABLED: 'api.rateLimit.enabled',
  ALERTING_API_RATE_LIMIT_MAX: 'api.rateLimit.max',
  ALERTING_API_RATE_LIMIT_UNAUTHENTICATED_MAX: 'api.rateLimit.unauthenticatedMax',
  ALERTING_API_RATE_LIMIT_WINDOW_MS: 'api.rateLimit.windowMs',
  ALERTING_HTTPS_CERT_FILE: 'http.https.certFile',
  ALERTING_HTTPS_KEY_FILE: 'http.https.keyFile',
  ALERTING_WEBHOOK_URL: 'webhookUrl',
  ALERTING_WEBHOOK_SECRET: 'webhookSecret',
};

export function loadAlertingConfig(
  options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {},
): AlertingConfig {
  return loadConfig({ schema: alertingConfigSchema, envMap: ALERTING_ENV, ...options });
}

/** Every token with its name and scopes: bare strings and ALERTING_API_TOKEN are admin tokens. */
export function apiTokenGrants(config: AlertingConfig): ApiToken[] {
  return namedTokens(config.api);
}

function namedTokens(api: {
  tokens: ReadonlyArray<z.infer<typeof apiTokenSchema>>;
  token?: string | undefined;
}): ApiToken[] {
  const listed = api.tokens.map((entry, i): ApiToken =>
    typeof entry === 'string' ? { name: `tokens.${i}`, token: entry, scopes: ['admin'] } : entry,
  );
  return api.token
    ? [...listed, { name: 'ALERTING_API_TOKEN', token: api.token, scopes: ['admin'] }]
    : listed;
}

/** `https://` when the API is served over TLS. */
export function httpScheme(config: AlertingConfig): 'http' | 'https' {
  return config.http.https ? 'https' : 'http';
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
