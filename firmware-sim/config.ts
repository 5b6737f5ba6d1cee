import { z } from 'zod';
import { configNumber, configStringList, loadConfig, type EnvMap } from '../runtime/index.js';
import { DEMO_SITE_FILE } from '../site/index.js';

const port = () => configNumber().pipe(z.number().int().min(0).max(65535));
const positiveMs = (fallback: number) => configNumber().pipe(z.number().int().positive()).default(fallback);

export const simulatorConfigSchema = z.strictObject({
  /** The site whose devices are simulated. */
  siteFile: z.string().min(1).default(DEMO_SITE_FILE),
  /** Where the bus servers (and the control API) listen. */
  host: z.string().min(1).default('127.0.0.1'),
  /** Port of the first bus, the next buses follow in site order; 0 picks free ports. */
  busBasePort: port().default(0),
  /** The gateway's LAN broker the security devices publish to; without it no MQTT device runs. */
  lanBrokerUrl: z
    .string()
    .regex(/^mqtts?:\/\/.+/, 'must be an mqtt:// or mqtts:// URL')
    .optional(),
  lanUsername: z.string().min(1).optional(),
  lanPassword: z.string().min(1).optional(),
  /** Each device's own LAN credential (lan-device-credentials.ts); devices not in it use lanUsername/lanPassword. */
  lanCredentialsFile: z.string().min(1).optional(),
  controlPort: port().default(9104),
  /**
   * Bearer token of the control API (16+ characters). Without one the control routes are
   * off: the village runs, but no fault can be switched. A switched fault reaches real
   * notification channels, so only the demo (the stack runner, which generates one) has it.
   */
  controlToken: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Host names the control API answers to besides loopback and `host` (a compose service name). */
  controlHosts: configStringList().default([]),
  seed: configNumber().pipe(z.number().int()).default(1),
  /** If set, the bus endpoints are written here as JSON at start (the stack runner reads it). */
  endpointsFile: z.string().min(1).optional(),
  /** The village's offset from UTC in minutes; daily curves follow local time (China: 480). */
  utcOffsetMinutes: configNumber().pipe(z.number().int().min(-720).max(840)).default(480),
  /** How long a meter's register image stays current, ms. */
  imageRefreshMs: positiveMs(1000),
  intervals: z
    .strictObject({
      statusMs: positiveMs(60_000),
      activityMs: positiveMs(30_000),
      burstSpacingMs: positiveMs(500),
      keepAliveMs: positiveMs(30_000),
      selfTestMs: positiveMs(30 * 24 * 3600_000),
      linkageMs: positiveMs(1000),
    })
    .prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;

export const SIMULATOR_ENV: EnvMap = {
  SIM_SITE_FILE: 'siteFile',
  SIM_HOST: 'host',
  SIM_BUS_BASE_PORT: 'busBasePort',
  SIM_LAN_BROKER_URL: 'lanBrokerUrl',
  SIM_LAN_USERNAME: 'lanUsername',
  SIM_LAN_PASSWORD: 'lanPassword',
  SIM_LAN_CREDENTIALS_FILE: 'lanCredentialsFile',
  SIM_CONTROL_PORT: 'controlPort',
  SIM_CONTROL_TOKEN: 'controlToken',
  SIM_CONTROL_HOSTS: 'controlHosts',
  SIM_SEED: 'seed',
  SIM_ENDPOINTS_FILE: 'endpointsFile',
  SIM_UTC_OFFSET_MINUTES: 'utcOffsetMinutes',
  SIM_IMAGE_REFRESH_MS: 'imageRefreshMs',
  SIM_STATUS_INTERVAL_MS: 'intervals.statusMs',
  SIM_ACTIVITY_INTERVAL_MS: 'intervals.activityMs',
  SIM_KEEPALIVE_INTERVAL_MS: 'intervals.keepAliveMs',
  SIM_SELF_TEST_INTERVAL_MS: 'intervals.selfTestMs',
  LOG_LEVEL: 'logLevel',
};

export function loadSimulatorConfig(
  options: { file?: string | undefined; env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {},
): Readonly<SimulatorConfig> {
  return loadConfig({ schema: simulatorConfigSchema, envMap: SIMULATOR_ENV, ...options });
}
