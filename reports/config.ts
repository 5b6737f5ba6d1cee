import { z } from 'zod';
import {
  configNumber,
  configStringList,
  httpsFilesSchema,
  loadConfig,
  type EnvMap,
} from '../runtime/index.js';
import { DEMO_SITE_FILE } from '../site/index.js';
import { DEFAULT_RULES_FILE } from '../alerting/index.js';

/** What the reports service reads at start-up; every field named with its fix when wrong. */
export const reportsConfigSchema = z.strictObject({
  siteFiles: configStringList().pipe(z.array(z.string()).min(1)).default([DEMO_SITE_FILE]),
  /** Alerting's rule files: the titles of alert classes. */
  ruleFiles: configStringList().pipe(z.array(z.string()).min(1)).default([DEFAULT_RULES_FILE]),
  influx: z
    .strictObject({
      url: z.string().url().default('http://127.0.0.1:8086'),
      database: z.string().min(1).default('village'),
      username: z.string().optional(),
      password: z.string().optional(),
    })
    .prefault({}),
  http: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: configNumber().pipe(z.number().int().min(0).max(65535)).default(9106),
      https: httpsFilesSchema.optional(),
    })
    .prefault({}),
  /**
   * Bearer tokens of the report API. A token here gives reports and nothing else; it is
   * not an alerting token. Without one the API answers 401 to everyone.
   */
  apiTokens: configStringList()
    .pipe(z.array(z.string().min(16, 'a report API token needs at least 16 characters')))
    .default([]),
  mail: z
    .strictObject({
      /** Who gets the monthly report (PDF and XLSX attached); empty: no e-mail. */
      to: configStringList().pipe(z.array(z.string().email())).default([]),
      from: z.string().email().default('reports@village.invalid'),
      smtpHost: z.string().min(1).default('127.0.0.1'),
      smtpPort: configNumber().pipe(z.number().int().min(1).max(65535)).default(25),
      smtpUser: z.string().optional(),
      smtpPassword: z.string().optional(),
      /** On the 1st of each month at this hour, China time, last month's report goes out. */
      hour: configNumber().pipe(z.number().int().min(0).max(23)).default(8),
      /** Which months went out, so a restart never sends one twice. */
      stateFile: z.string().min(1).default('./data/reports/mail-state.json'),
    })
    .prefault({}),
});
export type ReportsConfig = z.infer<typeof reportsConfigSchema>;

export const REPORTS_ENV_MAP: EnvMap = {
  REPORTS_SITE_FILES: 'siteFiles',
  REPORTS_RULE_FILES: 'ruleFiles',
  INFLUX_URL: 'influx.url',
  INFLUX_DATABASE: 'influx.database',
  INFLUX_USERNAME: 'influx.username',
  INFLUX_PASSWORD: 'influx.password',
  REPORTS_HTTP_HOST: 'http.host',
  REPORTS_HTTP_PORT: 'http.port',
  REPORTS_API_TOKENS: 'apiTokens',
  REPORTS_MAIL_TO: 'mail.to',
  REPORTS_MAIL_FROM: 'mail.from',
  REPORTS_SMTP_HOST: 'mail.smtpHost',
  REPORTS_SMTP_PORT: 'mail.smtpPort',
  REPORTS_SMTP_USER: 'mail.smtpUser',
  REPORTS_SMTP_PASSWORD: 'mail.smtpPassword',
  REPORTS_MAIL_HOUR: 'mail.hour',
  REPORTS_MAIL_STATE_FILE: 'mail.stateFile',
};

export function loadReportsConfig(
  options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {},
): Readonly<ReportsConfig> {
  return loadConfig({ schema: reportsConfigSchema, envMap: REPORTS_ENV_MAP, ...options });
}
