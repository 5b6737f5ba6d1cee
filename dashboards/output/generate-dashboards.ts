import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { boardContext, LANGUAGES, type BoardContext } from '../board-context.js';
import { alertsDashboard } from '../boards/alerts.js';
import { electricityDashboard } from '../boards/electricity.js';
import { gatewaysDashboard } from '../boards/gateways.js';
import { overviewDashboard } from '../boards/overview.js';
import { safetyDashboard } from '../boards/safety.js';
import { waterDashboard } from '../boards/water.js';
import { dashboardProvisioning, datasourceProvisioning } from './provisioning.js';
import { stableJson } from './stable-json.js';

export const BOARDS: ReadonlyArray<(ctx: BoardContext) => dashboard.Dashboard> = [
  overviewDashboard,
  waterDashboard,
  electricityDashboard,
  safetyDashboard,
  gatewaysDashboard,
  alertsDashboard,
];

/** Every dashboard in every language, built (and so validated against the schema). */
export function buildDashboards(): dashboard.Dashboard[] {
  return LANGUAGES.flatMap((lang) => BOARDS.map((board) => board(boardContext(lang))));
}

/**
 * Path (relative to dashboards/generated/) → file content. Deterministic: sorted keys,
 * no timestamps, so generating twice gives identical bytes.
 */
export function generateDashboards(): Record<string, string> {
  const files: Record<string, string> = {
    'provisioning/datasources/influxdb.yaml': datasourceProvisioning(),
    'provisioning/dashboards/village.yaml': dashboardProvisioning(),
  };
  for (const built of buildDashboards()) {
    const lang = built.tags?.find((tag) => (LANGUAGES as readonly string[]).includes(tag));
    if (!built.uid || !lang) throw new Error(`dashboard "${built.title}" has no uid or language tag`);
    files[`dashboards/${lang}/${built.uid}.json`] = stableJson(built);
  }
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}
