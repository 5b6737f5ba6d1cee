import type { AlertClass } from '../report-model.js';
import { median } from './night-flow.js';

/** One row of the `alert` measurement (alerting writes one per fired, acknowledged and resolved). */
export interface AlertRow {
  time: number;
  alert_id: string;
  state: string;
  rule: string;
  severity: string;
}

export interface RuleTitle {
  zh: string;
  en: string;
}

/**
 * Alerts fired in the period by class (rule and severity): how many, how many were
 * acknowledged and resolved before the period ended, how long that took (median and
 * longest, in minutes), and how many were still open at its end.
 */
export function alertClasses(
  rows: readonly AlertRow[],
  titles: ReadonlyMap<string, RuleTitle>,
  fromMs: number,
  toMs: number,
): AlertClass[] {
  const alerts = new Map<
    string,
    { rule: string; severity: string; fired?: number; ack?: number; resolved?: number }
  >();
  for (const row of [...rows].sort((a, b) => a.time - b.time)) {
    const alert = alerts.get(row.alert_id) ?? { rule: row.rule, severity: row.severity };
    if (row.state === 'firing') alert.fired ??= row.time;
    if (row.state === 'acknowledged') alert.ack ??= row.time;
    if (row.state === 'resolved') alert.resolved ??= row.time;
    alerts.set(row.alert_id, alert);
  }
  const classes = new Map<
    string,
    { rule: string; severity: string; ack: number[]; resolve: number[]; fired: number; open: number }
  >();
  for (const alert of alerts.values()) {
    if (alert.fired === undefined || alert.fired < fromMs || alert.fired >= toMs) continue;
    const key = `${alert.rule}\u0000${alert.severity}`;
    const entry = classes.get(key) ?? {
      rule: alert.rule,
      severity: alert.severity,
      ack: [],
      resolve: [],
      fired: 0,
      open: 0,
    };
    entry.fired += 1;
    if (alert.ack !== undefined && alert.ack < toMs) entry.ack.push((alert.ack - alert.fired) / 60_000);
    if (alert.resolved !== undefined && alert.resolved < toMs)
      entry.resolve.push((alert.resolved - alert.fired) / 60_000);
    else entry.open += 1;
    classes.set(key, entry);
  }
  const severityRank: Record<string, number> = { critical: 0, warning: 1, info: 2 };
  return [...classes.values()]
    .sort(
      (a, b) =>
        (severityRank[a.severity] ?? 3) - (severityRank[b.severity] ?? 3) ||
        b.fired - a.fired ||
        a.rule.localeCompare(b.rule),
    )
    .map((c) => ({
      rule: c.rule,
      title: titles.get(c.rule)?.zh ?? c.rule,
      title_en: titles.get(c.rule)?.en ?? c.rule,
      severity: c.severity,
      fired: c.fired,
      acknowledged: c.ack.length,
      resolved: c.resolve.length,
      openAtEnd: c.open,
      ...(c.ack.length ? { medianAckMinutes: median(c.ack), maxAckMinutes: Math.max(...c.ack) } : {}),
      ...(c.resolve.length
        ? { medianResolveMinutes: median(c.resolve), maxResolveMinutes: Math.max(...c.resolve) }
        : {}),
    }));
}
