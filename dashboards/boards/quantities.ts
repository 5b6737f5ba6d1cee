import { CATALOGUE, profileFields } from '../../devices/index.js';
import { tagIn, type Condition } from '../query/condition.js';
import { from, fromSubqueries, type InfluxSelect } from '../query/influx-select.js';
import { field } from '../query/select-expression.js';
import { deviceScope, modelsOf } from './compose.js';

/**
 * Village-wide quantities that need one reading per device first and a sum second:
 * meter models name the same quantity differently (kW vs W, import vs total kWh), so
 * each is read in a subquery of its own and the subqueries merge into one source.
 */
export type Grouping = 'zone' | 'building' | 'none';

const PER_DEVICE = ['device', 'zone', 'building'];
export const CHINA_TZ = 'Asia/Shanghai';

function outerGroup(select: InfluxSelect, grouping: Grouping): InfluxSelect {
  return grouping === 'none' ? select : select.groupBy(grouping);
}

/** Active power in W: SDM120/DTSU666 report W, DDSU666 kW. */
export function activePowerW(grouping: Grouping, extra: Condition[] = []): InfluxSelect {
  const inner = (column: ReturnType<typeof field>) =>
    from('electricity')
      .select(column.as('power_w'))
      .where(...deviceScope(), ...extra)
      .groupByTime()
      .groupBy(...PER_DEVICE);
  return outerGroup(
    fromSubqueries(inner(field('active_power_w').mean()), inner(field('active_power_kw').mean().times(1000)))
      .select(field('power_w').sum().as('power_w'))
      .groupByTime()
      .fill('null'),
    grouping,
  );
}

/** The energy register that counts consumption: import kWh where the meter has one, else total kWh. */
export function consumptionEnergyFields(): Array<{ field: string; models: string[] }> {
  const byField = new Map<string, string[]>();
  for (const profile of CATALOGUE.filter((p) => modelsOf('electricity-meter').includes(p.id))) {
    const fields = profileFields(profile);
    const chosen = fields.includes('import_energy_kwh') ? 'import_energy_kwh' : 'total_energy_kwh';
    if (!fields.includes(chosen)) throw new Error(`meter profile ${profile.id} has no energy register`);
    byField.set(chosen, [...(byField.get(chosen) ?? []), profile.id]);
  }
  return [...byField].map(([energyField, models]) => ({ field: energyField, models }));
}

/** kWh per local (China) day: the rise of each meter's energy register, summed. */
export function dailyEnergyKwh(grouping: Grouping): InfluxSelect {
  const inners = consumptionEnergyFields().map(({ field: energyField, models }) =>
    from('electricity')
      .select(field(energyField).spread().as('energy_kwh'))
      .where(...deviceScope(), tagIn('model', models))
      .groupByTime('1d')
      .groupBy(...PER_DEVICE)
      .tz(CHINA_TZ),
  );
  return outerGroup(
    fromSubqueries(...inners)
      .select(field('energy_kwh').sum().as('energy_kwh'))
      .groupByTime('1d')
      .fill('none'),
    grouping,
  ).tz(CHINA_TZ);
}

/** m³ per local day from the flow meters' forward totalisers. */
export function dailyWaterM3(grouping: Grouping): InfluxSelect {
  const inner = from('water')
    .select(field('forward_total_m3').spread().as('volume_m3'))
    .where(...deviceScope())
    .groupByTime('1d')
    .groupBy(...PER_DEVICE)
    .tz(CHINA_TZ);
  return outerGroup(
    fromSubqueries(inner).select(field('volume_m3').sum().as('volume_m3')).groupByTime('1d').fill('none'),
    grouping,
  ).tz(CHINA_TZ);
}

/** Flow in m³/h, summed over the meters of each group. */
export function flowM3h(grouping: Grouping): InfluxSelect {
  const inner = from('water')
    .select(field('flow_m3h').mean().as('flow_m3h'))
    .where(...deviceScope())
    .groupByTime()
    .groupBy(...PER_DEVICE);
  return outerGroup(
    fromSubqueries(inner).select(field('flow_m3h').sum().as('flow_m3h')).groupByTime().fill('null'),
    grouping,
  );
}
