import { UNITS, unitOfField } from '../../devices/index.js';
import type { BoardContext } from '../board-context.js';

/** Units of gateway fields that carry no suffix of devices/units.ts. */
const EXTRA_UNITS: Readonly<Record<string, { grafana: string; zh: string; en: string }>> = {
  bytes: { grafana: 'bytes', zh: '字节', en: 'bytes' },
};

/** Grafana unit id for a field, from its unit suffix (devices/units.ts). */
export function grafanaUnitOf(field: string): string {
  const suffix = unitOfField(field);
  if (suffix) return UNITS[suffix].grafana;
  const extra = EXTRA_UNITS[field.slice(field.lastIndexOf('_') + 1)];
  return extra?.grafana ?? 'none';
}

/** The unit's name for an axis label: Chinese name in zh dashboards, symbol in en. */
export function unitLabelOf(ctx: BoardContext, field: string): string {
  const suffix = unitOfField(field);
  if (suffix) return ctx.t(UNITS[suffix].zh, UNITS[suffix].symbol);
  const extra = EXTRA_UNITS[field.slice(field.lastIndexOf('_') + 1)];
  return extra ? ctx.t(extra.zh, extra.en) : '';
}
