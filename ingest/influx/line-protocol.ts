import type { FieldValue, Point } from './point.js';

/**
 * InfluxDB line protocol escaping, per element (docs: "Special characters"):
 * measurement escapes comma and space; tag keys, tag values and field keys escape
 * comma, equals sign and space; string field values are double-quoted and escape
 * double quote and backslash. A newline ends a line anywhere, so it is escaped as
 * `\n` in names (InfluxDB would otherwise split the point) and kept literally only
 * inside quoted string fields, where line protocol allows it.
 */
export function escapeMeasurement(name: string): string {
  return name.replace(/[\\, ]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}

export function escapeKey(key: string): string {
  return key.replace(/[\\,= ]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}

export function quoteString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function formatFieldValue(field: FieldValue): string {
  switch (field.type) {
    case 'float':
      // `String` never yields an exponent InfluxDB cannot read for finite doubles; integers stay floats without a suffix.
      return String(field.value);
    case 'int':
      return `${Math.trunc(field.value)}i`;
    case 'string':
      return quoteString(field.value);
    case 'bool':
      return field.value ? 'true' : 'false';
  }
}

/** One point as one line, tags sorted by key (what InfluxDB recommends for write performance). */
export function toLineProtocol(point: Point): string {
  let line = escapeMeasurement(point.measurement);
  for (const key of Object.keys(point.tags).sort()) {
    const value = point.tags[key];
    // An empty tag value is not allowed in line protocol: the tag is left out.
    if (value === undefined || value === '') continue;
    line += `,${escapeKey(key)}=${escapeKey(value)}`;
  }
  const fields = Object.entries(point.fields).map(
    ([key, value]) => `${escapeKey(key)}=${formatFieldValue(value)}`,
  );
  if (fields.length === 0) throw new Error(`point of ${point.measurement} has no fields`);
  return `${line} ${fields.join(',')} ${Math.trunc(point.timestampMs)}`;
}
