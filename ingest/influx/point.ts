/** A field value with its InfluxDB type made explicit: line protocol writes `1` (float) and `1i` (integer) differently. */
export type FieldValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'bool'; value: boolean };

export interface Point {
  measurement: string;
  /** Bounded-cardinality ids only (site, zone, building, device, model, gateway, type). */
  tags: Readonly<Record<string, string>>;
  fields: Readonly<Record<string, FieldValue>>;
  /** Milliseconds since the epoch. */
  timestampMs: number;
}

export const floatField = (value: number): FieldValue => ({ type: 'float', value });
export const intField = (value: number): FieldValue => ({ type: 'int', value: Math.trunc(value) });
export const stringField = (value: string): FieldValue => ({ type: 'string', value });
export const boolField = (value: boolean): FieldValue => ({ type: 'bool', value });
