/** One InfluxQL statement over the v1 HTTP API (POST, as InfluxDB 1.x wants for anything that writes). */
export interface InfluxAdminTarget {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  timeoutMs?: number;
}

export interface StatementResult {
  series?: Array<{ name?: string; tags?: Record<string, string>; columns: string[]; values?: unknown[][] }>;
}

export async function runStatement(
  target: InfluxAdminTarget,
  database: string | undefined,
  statement: string,
): Promise<StatementResult> {
  const body = new URLSearchParams({ q: statement, epoch: 'ms' });
  if (database) body.set('db', database);
  if (target.username) body.set('u', target.username);
  if (target.password) body.set('p', target.password);
  const response = await fetch(`${target.url.replace(/\/$/, '')}/query`, {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(target.timeoutMs ?? 60_000),
  });
  const text = await response.text();
  let parsed: { error?: string; results?: Array<StatementResult & { error?: string }> };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new Error(`InfluxDB answered ${response.status}: ${text.slice(0, 200)}`);
  }
  const error = parsed.error ?? parsed.results?.find((r) => r.error)?.error;
  if (error || !response.ok)
    throw new Error(`${statement.slice(0, 80)}…: ${error ?? `HTTP ${response.status}`}`);
  return parsed.results?.[0] ?? {};
}

/** Rows of a result as objects keyed by column, with the series' tags. */
export function resultRows(result: StatementResult): Array<Record<string, unknown>> {
  return (result.series ?? []).flatMap((series) =>
    (series.values ?? []).map((values) => {
      const row: Record<string, unknown> = { ...series.tags };
      series.columns.forEach((column, i) => (row[column] = values[i]));
      return row;
    }),
  );
}
