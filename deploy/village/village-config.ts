import { z } from 'zod';
import { configStringList, loadConfig, type EnvMap } from '../../runtime/index.js';

/**
 * The services a village process can host, in the order they start (each needs the ones
 * before it: ingest and alerting subscribe to the broker, the gateway publishes to it).
 * Reports is not one of them: a month of minutes rendered to a spreadsheet would hold the
 * event loop that carries a fire alarm to the operator's phone; it keeps its own process.
 */
export const VILLAGE_MODULES = ['broker', 'ingest', 'alerting', 'edge'] as const;

export type VillageModule = (typeof VILLAGE_MODULES)[number];

const configFile = z.string().min(1).optional();

export const villageConfigSchema = z.strictObject({
  /** Which services this process runs; each reads its own config (its file, then its own variables). */
  modules: configStringList()
    .pipe(z.array(z.enum(VILLAGE_MODULES, { error: `must be one of ${VILLAGE_MODULES.join(', ')}` })).min(1))
    .default([...VILLAGE_MODULES]),
  /** Each service's own YAML file, as its separate process takes with `--config`. */
  configFiles: z
    .strictObject({ broker: configFile, ingest: configFile, alerting: configFile, edge: configFile })
    .prefault({}),
});

export type VillageConfig = z.infer<typeof villageConfigSchema>;

export const VILLAGE_ENV: EnvMap = {
  VILLAGE_MODULES: 'modules',
  VILLAGE_BROKER_CONFIG: 'configFiles.broker',
  VILLAGE_INGEST_CONFIG: 'configFiles.ingest',
  // alerting's own name for its file, as its own process reads it; VILLAGE_ALERTING_CONFIG wins
  ALERTING_CONFIG: 'configFiles.alerting',
  VILLAGE_ALERTING_CONFIG: 'configFiles.alerting',
  VILLAGE_EDGE_CONFIG: 'configFiles.edge',
};

export function loadVillageConfig(
  options: { env?: NodeJS.ProcessEnv; overrides?: Record<string, unknown> } = {},
): VillageConfig {
  return loadConfig({ schema: villageConfigSchema, envMap: VILLAGE_ENV, ...options });
}
