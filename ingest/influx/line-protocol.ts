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
      if (!Number.isFinite(field.value)) throw new Error(`float field ${field.value} is not finite`);
      return String(field.value);
    case 'int':
      // Beyond 2^53 `String` switches to an exponent (`1e+21i`), which is no integer literal.
      if (!Number.isSafeInteger(Math.trunc(field.value)))
        throw new Error(`int field ${field.value} is not a safe integer`);
      return `${Math.trunc(field.value)}i`;
    case 'string':
      return quoteString(field.value);
    case 'bool':
      return field.value ? 'true' : 'false';
  }
}

/** Half of a UTF-16 pair on its own: sent as UTF-8 it becomes U+FFFD, so the name stored is not the one meant. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Names (measurement, tag keys and values, field keys) that InfluxDB 1.x cannot store
 * as given, whatever the escaping: it does not unescape `\\` or `\n` in names (so a
 * backslash comes back doubled, and one before a separator breaks the line), an empty
 * name is a parse error, a line starting with `#` is a comment that is silently
 * dropped, a leading tab is skipped, a lone surrogate cannot be sent as UTF-8, and
 * `time` is no valid key.
 * Ingest only writes ids and profile field names, so meeting one means a bug
 * upstream: the point is refused here rather than written wrong.
 */
export function unstorableNameReason(
  name: string,
  role: 'measurement' | 'key' | 'tag value',
): string | undefined {
  if (name.length === 0) return `empty ${role}`;
  const shown = JSON.stringify(name.slice(0, 64));
  if (/[\\\n]/.test(name)) return `${role} ${shown} holds a backslash or line break`;
  if (LONE_SURROGATE.test(name)) return `${role} ${shown} is not well-formed Unicode`;
  if (role === 'key' && name === 'time') return 'a tag or field key named "time"';
  if (role === 'measurement' && name.startsWith('#')) return `measurement ${shown} starts with "#"`;
  // InfluxDB 1.x skips a tab where a measurement or field key begins (fuzzed against influxd 1.6.7).
  if (role !== 'tag value' && name.startsWith('\t')) return `${role} ${shown} starts with a tab`;
  return undefined;
}

function checkName(name: string, role: 'measurement' | 'key' | 'tag value'): string {
  const reason = unstorableNameReason(name, role);
  if (reason) throw new Error(`point cannot be written as line protocol: ${reason}`);
  return name;
}

/**
 * The measurement and its tags, sorted by key (what InfluxDB recommends for write
 * performance): everything of a line before the first space. Throws for an unstorable name.
 */
export function seriesKey(measurement: string, tags: Readonly<Record<string, string>>): string {
  let line = escapeMeasurement(checkName(measurement, 'measurement'));
  for (const key of Object.keys(tags).sort()) {
    const value = tags[key];
    // An empty tag value is not allowed in line protocol: the tag is left out.
    if (value === undefined || value === '') continue;
    line += `,${escapeKey(checkName(key, 'key'))}=${escapeKey(checkName(value, 'tag value'))}`;
  }
  return line;
}

/** A field key as written, escaped. Throws for an unstorable name. */
export function fieldKey(key: string): string {
  return escapeKey(checkName(key, 'key'));
}

/** One point as one line: series key, fields in their order, ms timestamp. */
export function toLineProtocol(point: Point): string {
  const series = seriesKey(point.measurement, point.tags);
  const fields = Object.entries(point.fields).map(
    ([key, value]) => `${fieldKey(key)}=${formatFieldValue(value)}`,
  );
  if (fields.length === 0) throw new Error(`point of ${point.measurement} has no fields`);
  return `${series} ${fields.join(',')} ${Math.trunc(point.timestampMs)}`;
}
