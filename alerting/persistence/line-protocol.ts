/** InfluxDB line protocol escaping (tags: commas, spaces, equals; string fields: quotes, backslashes). */
export function escapeTag(value: string): string {
  return value.replace(/[,= \\]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}

export function escapeMeasurement(value: string): string {
  return value.replace(/[, \\]/g, (c) => `\\${c}`);
}

export function stringField(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

export function numberField(value: number): string {
  return Number.isInteger(value) ? `${value}` : `${value}`;
}

export interface LinePoint {
  measurement: string;
  tags: Record<string, string | undefined>;
  fields: Record<string, string | number | undefined>;
  timestampMs: number;
}

/** Tags sorted by key (InfluxDB's preferred order); empty tags and undefined fields left out. */
export function toLine(point: LinePoint): string {
  const tags = Object.entries(point.tags)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `,${escapeTag(k)}=${escapeTag(v)}`)
    .join('');
  const fields = Object.entries(point.fields)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${escapeTag(k)}=${typeof v === 'number' ? numberField(v) : stringField(v)}`)
    .join(',');
  return `${escapeMeasurement(point.measurement)}${tags} ${fields} ${point.timestampMs}`;
}
