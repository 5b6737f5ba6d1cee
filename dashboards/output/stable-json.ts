/**
 * JSON with keys sorted at every level and functions dropped, so the same dashboard
 * always serialises to the same bytes whatever order the SDK set its properties in.
 */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const inner = (value as Record<string, unknown>)[key];
      if (typeof inner === 'function' || inner === undefined) continue;
      sorted[key] = sortKeys(inner);
    }
    return sorted;
  }
  return value;
}
