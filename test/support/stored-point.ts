/**
 * Whether a stored row has every one of `fields`.
 *
 * InfluxDB 1.x puts a point's fields into its cache one field at a time: a query that
 * races the write can return the point with some of its fields still null. A test that
 * waits for a point and then compares its fields waits for the whole point.
 */
export function hasFields(row: Record<string, unknown>, fields: readonly string[]): boolean {
  return fields.every((field) => row[field] !== null && row[field] !== undefined);
}

/** The first stored row that has every one of `fields` (`hasFields`), or undefined while none has. */
export function rowWithFields(
  rows: ReadonlyArray<Record<string, unknown>>,
  fields: readonly string[],
): Record<string, unknown> | undefined {
  return rows.find((row) => hasFields(row, fields));
}
