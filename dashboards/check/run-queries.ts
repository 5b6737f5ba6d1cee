import { expandGrafanaMacros, type MacroValues, DEFAULT_MACROS } from './expand-macros.js';

/** The parts of a dashboard JSON this checker reads (works on generated files and on SDK objects). */
interface PanelLike {
  id?: number;
  title?: string;
  targets?: Array<{ refId?: string; query?: unknown }>;
  panels?: PanelLike[];
}
export interface DashboardLike {
  uid?: string;
  panels?: PanelLike[];
  templating?: { list?: Array<{ name?: string; type?: string; query?: unknown }> };
  annotations?: { list?: Array<{ name?: string; target?: { query?: unknown } }> };
}

export interface DashboardQuery {
  dashboard: string;
  /** Panel title and target refId, or `variable <name>`. */
  source: string;
  query: string;
}

export function panelsOf(dashboard: DashboardLike): PanelLike[] {
  return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Every InfluxQL text of a dashboard: panel targets, query variables and annotation queries. */
export function queriesOf(dashboard: DashboardLike): DashboardQuery[] {
  const uid = dashboard.uid ?? '(no uid)';
  const queries: DashboardQuery[] = [];
  for (const panel of panelsOf(dashboard)) {
    for (const target of panel.targets ?? []) {
      if (typeof target.query === 'string') {
        queries.push({
          dashboard: uid,
          source: `${panel.title ?? panel.id} / ${target.refId}`,
          query: target.query,
        });
      }
    }
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    if (typeof annotation.target?.query === 'string') {
      queries.push({
        dashboard: uid,
        source: `annotation ${annotation.name}`,
        query: annotation.target.query,
      });
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    // A custom variable's "query" is its list of values (name : id), not InfluxQL.
    if (variable.type !== 'custom' && typeof variable.query === 'string') {
      queries.push({ dashboard: uid, source: `variable ${variable.name}`, query: variable.query });
    }
  }
  return queries;
}

export interface QueryOutcome extends DashboardQuery {
  expanded: string;
  /** False when InfluxDB answered with an error (or not at all). */
  ok: boolean;
  error?: string;
  rows: number;
}

interface InfluxResponse {
  error?: string;
  results?: Array<{ error?: string; series?: Array<{ values?: unknown[][] }> }>;
}

/** Runs one InfluxQL statement over HTTP (`/query`, v1 API; also served by InfluxDB 2.x/3.x compatibility). */
export async function runInfluxQL(
  url: string,
  database: string,
  query: string,
): Promise<{ ok: boolean; error?: string; rows: number }> {
  const params = new URLSearchParams({ db: database, q: query, epoch: 'ms' });
  let body: InfluxResponse;
  try {
    const response = await fetch(`${url}/query?${params}`);
    body = (await response.json()) as InfluxResponse;
    if (!response.ok && !body.error) body.error = `HTTP ${response.status}`;
  } catch (error) {
    return { ok: false, error: (error as Error).message, rows: 0 };
  }
  const error = body.error ?? body.results?.find((r) => r.error)?.error;
  if (error) return { ok: false, error, rows: 0 };
  const rows = (body.results ?? [])
    .flatMap((r) => r.series ?? [])
    .reduce((sum, series) => sum + (series.values?.length ?? 0), 0);
  return { ok: true, rows };
}

/** Expands and runs each query against any InfluxDB (a test's influxd or a live stack's). */
export async function checkQueries(
  url: string,
  database: string,
  queries: readonly DashboardQuery[],
  macros: MacroValues = DEFAULT_MACROS,
): Promise<QueryOutcome[]> {
  const outcomes: QueryOutcome[] = [];
  for (const query of queries) {
    const expanded = expandGrafanaMacros(query.query, macros);
    outcomes.push({ ...query, expanded, ...(await runInfluxQL(url, database, expanded)) });
  }
  return outcomes;
}
