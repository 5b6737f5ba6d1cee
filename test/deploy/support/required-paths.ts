import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/** The settings a schema cannot do without: the paths it rejects in an empty config. */
export function requiredPaths(schema: z.ZodType): string[] {
  const result = schema.safeParse({});
  if (result.success) return [];
  return [...new Set(result.error.issues.map((issue) => issue.path.join('.')))];
}

/** Every dotted path a YAML config file sets (objects are walked, arrays and scalars are leaves). */
export function configPathsIn(file: string): string[] {
  const walk = (node: unknown, prefix: string): string[] =>
    node && typeof node === 'object' && !Array.isArray(node)
      ? Object.entries(node).flatMap(([key, value]) => walk(value, prefix ? `${prefix}.${key}` : key))
      : [prefix];
  return walk(parseYaml(readFileSync(file, 'utf8')) ?? {}, '');
}
