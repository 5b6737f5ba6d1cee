import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DEMO_SITE_FILE, loadSite, type Site } from '../../site/index.js';
import { boardContext, LANGUAGES, type BoardContext } from '../board-context.js';
import { alertsDashboard } from '../boards/alerts.js';
import { deviceDashboard } from '../boards/device.js';
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
  deviceDashboard,
];

/**
 * Every dashboard in every language for one site file (the demo village unless told),
 * built (and so validated against the schema).
 */
export function buildDashboards(site: Site = loadSite(DEMO_SITE_FILE)): dashboard.Dashboard[] {
  return LANGUAGES.flatMap((lang) => BOARDS.map((board) => board(boardContext(lang, site))));
}

/**
 * Path (relative to dashboards/generated/) → file content. Deterministic: sorted keys,
 * no timestamps, so generating twice gives identical bytes.
 */
export function generateDashboards(site?: Site): Record<string, string> {
  const files: Record<string, string> = {
    'provisioning/datasources/influxdb.yaml': datasourceProvisioning(),
    'provisioning/dashboards/village.yaml': dashboardProvisioning(),
  };
  for (const built of buildDashboards(site)) {
    const lang = built.tags?.find((tag) => (LANGUAGES as readonly string[]).includes(tag));
    if (!built.uid || !lang) throw new Error(`dashboard "${built.title}" has no uid or language tag`);
    files[`dashboards/${lang}/${built.uid}.json`] = stableJson(built);
  }
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}
