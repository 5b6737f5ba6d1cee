import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as common from '@grafana/grafana-foundation-sdk/common';
import type { InfluxSelect } from './influx-select.js';

export type InfluxResultFormat = 'time_series' | 'table';

/** A target of Grafana's InfluxDB data source in raw InfluxQL mode. */
export interface InfluxDataquery {
  refId?: string;
  hide?: boolean;
  datasource?: common.DataSourceRef;
  rawQuery: true;
  query: string;
  resultFormat: InfluxResultFormat;
  /** Series name pattern, e.g. `$tag_device` (Grafana InfluxDB "ALIAS BY"). */
  alias?: string;
  /** Lets cog know this is a Dataquery variant (the SDK's custom-query pattern); not serialised. */
  _implementsDataqueryVariant(): void;
}

export const INFLUX_DATASOURCE_TYPE = 'influxdb';

/**
 * `cog.Builder` for InfluxQL targets, shaped like the SDK's prometheus/loki builders.
 * The query text comes from an `InfluxSelect`, validated against the schema on build().
 */
export class InfluxQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: Omit<InfluxDataquery, 'query'>;

  constructor(private readonly statement: InfluxSelect) {
    this.internal = { rawQuery: true, resultFormat: 'time_series', _implementsDataqueryVariant() {} };
  }

  build(): InfluxDataquery {
    return { ...this.internal, query: this.statement.toInfluxQL() };
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  hide(hide: boolean): this {
    this.internal.hide = hide;
    return this;
  }

  datasource(datasource: common.DataSourceRef): this {
    this.internal.datasource = datasource;
    return this;
  }

  resultFormat(resultFormat: InfluxResultFormat): this {
    this.internal.resultFormat = resultFormat;
    return this;
  }

  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }
}

export function influxQuery(statement: InfluxSelect): InfluxQueryBuilder {
  return new InfluxQueryBuilder(statement);
}
