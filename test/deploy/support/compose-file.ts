import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const COMPOSE_FILE = resolve(REPO_ROOT, 'docker-compose.yml');
export const ENV_EXAMPLE_FILE = resolve(REPO_ROOT, 'deploy/env.example');

export type Env = Record<string, string>;

export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
  ports?: Array<string | number | { target: number; published?: string | number; host_ip?: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  restart?: string;
  profiles?: string[];
  logging?: { driver?: string; options?: Record<string, string | number> };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?message}`, `${NAME?message}`, and `$$`. */
const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

export interface Reference {
  name: string;
  hasDefault: boolean;
}

/** Every variable the compose text refers to. */
export function composeReferences(text: string): Reference[] {
  return [...text.matchAll(VARIABLE)]
    .filter((m) => m[1] !== undefined)
    .map((m) => ({ name: m[1] as string, hasDefault: m[2] === ':-' || m[2] === '-' }));
}

/** Compose's interpolation of one string; throws like `docker compose` for a missing required variable. */
export function interpolate(value: string, env: Env): string {
  return value.replace(VARIABLE, (whole, name: string | undefined, op: string | undefined, arg = '') => {
    if (whole === '$$') return '$';
    const key = name as string;
    const set = key in env;
    const value = env[key] ?? '';
    if (op === ':-') return value !== '' ? value : arg;
    if (op === '-') return set ? value : arg;
    if (op === ':?' && value === '') throw new Error(`required variable ${key} is missing a value: ${arg}`);
    if (op === '?' && !set) throw new Error(`required variable ${key} is missing: ${arg}`);
    return value;
  });
}

function interpolateTree(node: unknown, env: Env): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateTree(item, env));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateTree(v, env)]));
  }
  return node;
}

/** The compose file as `docker compose config` would see it: YAML merge keys applied, variables filled in. */
export function loadCompose(env: Env, text = readFileSync(COMPOSE_FILE, 'utf8')): ComposeFile {
  const parsed = parseYaml(text, { merge: true }) as Record<string, unknown>;
  const services = Object.fromEntries(
    Object.entries((parsed.services ?? {}) as Record<string, unknown>).map(([name, service]) => [
      name,
      interpolateTree(service, env),
    ]),
  ) as Record<string, ComposeService>;
  return { services, volumes: (parsed.volumes ?? {}) as Record<string, unknown> };
}

/** The services `docker compose up` starts with these profiles: those without a profile, and those of a named one. */
export function activeServices(compose: ComposeFile, profiles: readonly string[] = []): string[] {
  return Object.entries(compose.services)
    .filter(([, service]) => !service.profiles?.length || service.profiles.some((p) => profiles.includes(p)))
    .map(([name]) => name);
}

/** `NAME=value` lines of an env file. */
export function parseEnvFile(text: string): Env {
  const env: Env = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1]) env[match[1]] = match[2] ?? '';
  }
  return env;
}

/**
 * An operator's .env as the deploy guide has them make it: `deploy/cli.ts env` fills
 * the secrets, and they set the one address no tool can guess (ALERTING_PUBLIC_URL).
 */
export function operatorEnv(example: string, fill: (text: string) => string): Env {
  return { ...parseEnvFile(fill(example)), ALERTING_PUBLIC_URL: 'https://192.168.1.10' };
}

export function environmentOf(service: ComposeService): Env {
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) {
    return Object.fromEntries(
      raw.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

export function commandOf(service: ComposeService): string[] {
  const command = service.command ?? [];
  return typeof command === 'string' ? command.split(/\s+/).filter(Boolean) : command;
}

export interface Mount {
  kind: 'volume' | 'bind';
  source: string;
  target: string;
}

export function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume !== 'string') {
      const source = volume.source ?? '';
      return { kind: volume.type === 'bind' ? 'bind' : 'volume', source, target: volume.target };
    }
    const [source = '', target = ''] = volume.split(':');
    const bind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
    return { kind: bind ? 'bind' : 'volume', source, target };
  });
}

export interface PortMapping {
  container: number;
  published: string;
  /** The host address it is published on; empty means every interface. */
  hostIp: string;
}

export function portsOf(service: ComposeService): PortMapping[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'number') return { container: port, published: '', hostIp: '' };
    if (typeof port === 'object')
      return { container: port.target, published: String(port.published ?? ''), hostIp: port.host_ip ?? '' };
    const parts = port.split(':');
    return {
      container: Number(parts.at(-1)?.split('/')[0]),
      published: parts.slice(0, -1).join(':'),
      hostIp: parts.length === 3 ? (parts[0] as string) : '',
    };
  });
}

export function dependenciesOf(service: ComposeService): Record<string, string> {
  const raw = service.depends_on ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name) => [name, 'service_started']));
  return Object.fromEntries(
    Object.entries(raw).map(([name, dep]) => [name, dep.condition ?? 'service_started']),
  );
}

export function healthcheckCommand(service: ComposeService): string {
  const test = service.healthcheck?.test;
  if (!test || service.healthcheck?.disable) return '';
  return Array.isArray(test) ? test.join(' ') : test;
}
