import * as cog from '@grafana/grafana-foundation-sdk/cog';
import { describe, expect, it } from 'vitest';
import { fieldCompare, tagIn, tagMatchesVariable } from '../query/condition.js';
import { influxQuery } from '../query/influx-query-builder.js';
import { from, fromSubqueries } from '../query/influx-select.js';
import { field, tag } from '../query/select-expression.js';
import type { MeasurementName } from '../schema/influx-schema.js';

describe('InfluxQL query builder', () => {
  it('composes a grouped query from typed parts', () => {
    const text = from('water')
      .select(field('pressure_mpa').mean().as('pressure'))
      .where(tagMatchesVariable('zone'))
      .groupByTime()
      .groupBy('device')
      .fill('null')
      .toInfluxQL();
    expect(text).toBe(
      'SELECT mean("pressure_mpa") AS "pressure" FROM "$rp"."water" WHERE $timeFilter AND "zone" =~ /^$zone$/ ' +
        'GROUP BY time($__interval), "device" fill(null)',
    );
  });

  it('reads raw points for a fixed look-back or without time buckets, roll-ups otherwise', () => {
    expect(from('water').select(field('pressure_mpa').last()).toInfluxQL()).toContain('FROM "water"');
    expect(
      from('water').select(field('pressure_mpa').mean()).groupByTime().lookBack('90d').toInfluxQL(),
    ).toBe('SELECT mean("pressure_mpa") FROM "water" WHERE time > now() - 90d GROUP BY time($__interval)');
    expect(from('safety_event').select(field('seq').count()).groupByTime().toInfluxQL()).toContain(
      'FROM "safety_event"',
    );
  });

  it('refuses a bucketed query the roll-ups cannot answer', () => {
    expect(() => from('water').select(field('seq').count()).groupByTime().toInfluxQL()).toThrow(
      /cannot be read from the roll-ups/,
    );
    expect(() => from('electricity').select(field('voltage_v').count()).groupByTime().toInfluxQL()).toThrow(
      /count\(voltage_v\)/,
    );
  });

  it('builds a Grafana InfluxDB target through the cog.Builder interface', () => {
    const builder = influxQuery(from('electricity').select(field('voltage_v').last()))
      .refId('B')
      .resultFormat('table')
      .datasource({ type: 'influxdb', uid: 'ds' });
    expect(cog.isBuilder(builder)).toBe(true);
    expect(JSON.parse(JSON.stringify(builder.build()))).toEqual({
      rawQuery: true,
      refId: 'B',
      resultFormat: 'table',
      datasource: { type: 'influxdb', uid: 'ds' },
      query: 'SELECT last("voltage_v") FROM "electricity" WHERE $timeFilter',
    });
  });

  it('throws at build time on an unknown field, tag or measurement', () => {
    expect(() => from('water').select(field('presure_mpa').mean()).toInfluxQL()).toThrow(
      /unknown field "presure_mpa"/,
    );
    expect(() => influxQuery(from('water').select(field('flow_m3h').mean()).groupBy('room')).build()).toThrow(
      /unknown tag "room"/,
    );
    expect(() =>
      from('water')
        .select(field('seq'))
        .where(tagIn('type', ['fire_alarm']))
        .toInfluxQL(),
    ).toThrow(/unknown tag "type"/);
    expect(() =>
      from('water')
        .select(field('seq'))
        .where(fieldCompare('nope', '=', 1))
        .toInfluxQL(),
    ).toThrow(/nope/);
    expect(() => from('waterr' as MeasurementName)).toThrow(/unknown measurement/);
  });

  it('refuses numeric aggregates of string fields and mixed raw/aggregated columns', () => {
    expect(() => from('safety_event').select(field('severity').mean()).toInfluxQL()).toThrow(/string field/);
    expect(() => from('safety_event').select(field('severity').last(), tag('device')).toInfluxQL()).toThrow(
      /mixes/,
    );
  });

  it('refuses values that would break out of a regex or a duration', () => {
    expect(() => tagIn('zone', ['a/b'])).toThrow();
    expect(() => from('water').groupByTime('1 hour')).toThrow();
  });

  it('merges subqueries that select the same columns, checking the outer query against them', () => {
    const inner = (f: string) =>
      from('electricity').select(field(f).mean().as('p')).groupByTime().groupBy('device', 'zone');
    const outer = fromSubqueries(inner('active_power_w'), inner('active_power_kw'))
      .select(field('p').sum())
      .groupByTime()
      .groupBy('zone');
    expect(outer.toInfluxQL()).toMatch(
      /^SELECT sum\("p"\) FROM \(SELECT mean\("active_power_w"\) AS "p" .*\), \(SELECT mean\("active_power_kw"\)/,
    );
    expect(() => fromSubqueries(inner('voltage_v')).select(field('q').sum()).toInfluxQL()).toThrow(
      /unknown field "q"/,
    );
    expect(() =>
      fromSubqueries(inner('voltage_v')).select(field('p').sum()).groupBy('building').toInfluxQL(),
    ).toThrow(/unknown tag "building"/);
    const other = from('electricity')
      .select(field('voltage_v').mean().as('v'))
      .groupByTime()
      .groupBy('device', 'zone');
    expect(() => fromSubqueries(inner('voltage_v'), other).select(field('p').sum()).toInfluxQL()).toThrow(
      /same columns/,
    );
  });

  it('renders arithmetic over transformed aggregates', () => {
    const ok = field('poll_ok_count').last().nonNegativeDifference();
    const text = from('gateway_health').select(ok.times(100).as('pct')).groupByTime().toInfluxQL();
    expect(text).toContain('(non_negative_difference(last("poll_ok_count")) * 100) AS "pct"');
    expect(() => field('poll_ok_count').nonNegativeDifference()).toThrow(/aggregated/);
  });
});
