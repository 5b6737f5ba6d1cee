import { EVENT_SEVERITY, SEVERITIES, type EventType, type Severity } from '../../contracts/index.js';
import type { BoardContext } from '../board-context.js';
import { valueMapping } from '../panels/common.js';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

const SEVERITY_COLORS: Readonly<Record<Severity, string>> = {
  info: 'blue',
  warning: 'orange',
  critical: 'red',
};

export function severityMapping(ctx: BoardContext): dashboard.ValueMapping {
  const names: Record<Severity, string> = {
    info: ctx.t('提示', 'info'),
    warning: ctx.t('警告', 'warning'),
    critical: ctx.t('严重', 'critical'),
  };
  return valueMapping(SEVERITIES.map((s) => ({ value: s, text: names[s], color: SEVERITY_COLORS[s] })));
}

export function onlineMapping(ctx: BoardContext): dashboard.ValueMapping {
  return valueMapping([
    { value: '1', text: ctx.t('在线', 'online'), color: 'green' },
    { value: '0', text: ctx.t('离线', 'offline'), color: 'red' },
  ]);
}

/**
 * Availability from paired events (`camera_online`/`camera_offline`): the last event's
 * severity tells which one came last, since the pair's severities differ (contracts/events.ts).
 */
export function availabilityBySeverity(
  ctx: BoardContext,
  online: EventType,
  offline: EventType,
): dashboard.ValueMapping {
  const up = EVENT_SEVERITY[online];
  const down = EVENT_SEVERITY[offline];
  if (up === down)
    throw new Error(`${online} and ${offline} share severity ${up}: availability is ambiguous`);
  return valueMapping([
    { value: up, text: ctx.t('在线', 'online'), color: 'green' },
    { value: down, text: ctx.t('离线', 'offline'), color: 'red' },
  ]);
}
