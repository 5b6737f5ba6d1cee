import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CodedError } from './errors.js';

export type EnvMap = Readonly<Record<string, string>>;

export interface LoadConfigOptions<S extends z.ZodType> {
  schema: S;
  /** A YAML (or JSON) file; values from the environment override it. */
  file?: string | undefined;
  /** Environment variable → dotted config path, e.g. `{ INFLUX_URL: 'influx.url' }`. */
  envMap?: EnvMap;
  env?: NodeJS.ProcessEnv;
  /** Inline values, overriding file and environment (tests, the stack runner). */
  overrides?: Record<string, unknown>;
}

/**
 * Reads and validates a service's config at start-up. On failure the error lists
 * every bad field with its path, what was wrong, and where it came from, then the
 * process stops: a half-configured service is worse than none.
 */
export function loadConfig<S extends z.ZodType>(options: LoadConfigOptions<S>): Readonly<z.infer<S>> {
  const raw: Record<string, unknown> = options.file ? readConfigFile(options.file) : {};
  const fromEnv = new Map<string, string>();
  const env = options.env ?? process.env;
  for (const [variable, path] of Object.entries(options.envMap ?? {})) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    setPath(raw, path, coerceEnvValue(value));
    fromEnv.set(path, variable);
  }
  for (const [path, value] of Object.entries(options.overrides ?? {})) setPath(raw, path, value);

  const result = options.schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.join('.') || '(root)';
      const variable = fromEnv.get(path);
      const source = variable ? ` (from ${variable})` : options.file ? ` (in ${options.file})` : '';
      return `  - ${path}${source}: ${issue.message}`;
    });
    throw new CodedError('CONFIG_INVALID', `\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data) as Readonly<z.infer<S>>;
}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CodedError('CONFIG_INVALID', `cannot read config file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new CodedError(
      'CONFIG_INVALID',
      `config file ${file} is not valid YAML: ${(error as Error).message}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CodedError('CONFIG_INVALID', `config file ${file} must hold a mapping at the top level`);
  }
  return parsed as Record<string, unknown>;
}

/** Environment values stay strings; numeric and boolean fields accept them through these schemas. */
function coerceEnvValue(value: string): unknown {
  return value;
}

export function configNumber() {
  return z.union([
    z.number(),
    z
      .string()
      .regex(/^-?\d+(\.\d+)?$/, 'must be a number')
      .transform(Number),
  ]);
}

/** A list given as YAML array or, from the environment, as comma-separated text. */
export function configStringList() {
  return z.union([
    z.array(z.string().min(1)),
    z.string().transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ]);
}

export function configBoolean() {
  return z.union([
    z.boolean(),
    z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
  ]);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}
