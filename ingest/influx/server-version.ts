import { CodedError } from '../../runtime/index.js';

export interface InfluxTarget {
  url: string;
  database: string;
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  org?: string | undefined;
  bucket?: string | undefined;
}

export type WriteApiChoice =
  | { api: 'v1'; reason: string }
  | { api: 'v2'; reason: string; org: string; bucket: string; token: string | undefined };

/** True when the server answers `/ping` (204, or 200 from some proxies) within `timeoutMs`. */
export async function answersPing(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status === 204 || response.status === 200;
  } catch {
    return false;
  }
}

/** Reads `X-Influxdb-Version` from `/ping`; undefined when the server does not send it. */
export async function detectServerVersion(url: string, timeoutMs: number): Promise<string | undefined> {
  const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  if (response.status !== 204 && response.status !== 200)
    throw new Error(`/ping answered HTTP ${response.status}`);
  return response.headers.get('x-influxdb-version') ?? undefined;
}

/** `1.6.7`, `v2.7.11`, `3.0.1-…`, `1.8.10-c1.8.10` → [major, minor]; undefined when unreadable. */
export function parseVersion(version: string): [number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/**
 * 1.x before 1.8 only has `/write`. 1.8 added `/api/v2/write` (bucket =
 * `database/retention-policy`, token = `username:password`), which 2.x and 3.x
 * serve natively, so everything from 1.8 on goes through the v2 path. Without a
 * version header (some proxies strip it), a configured token means v2.
 */
export function selectWriteApi(version: string | undefined, target: InfluxTarget): WriteApiChoice {
  const parsed = version === undefined ? undefined : parseVersion(version);
  if (!parsed) {
    return target.token
      ? v2(target, `unknown server version "${version ?? ''}" and a token is configured`, false)
      : { api: 'v1', reason: `unknown server version "${version ?? ''}" and no token is configured` };
  }
  const [major, minor] = parsed;
  if (major < 1 || (major === 1 && minor < 8))
    return { api: 'v1', reason: `InfluxDB ${version} predates 1.8` };
  return v2(target, `InfluxDB ${version}`, major === 2);
}

function v2(target: InfluxTarget, reason: string, orgRequired: boolean): WriteApiChoice {
  if (orgRequired && !target.org) {
    throw new CodedError('CONFIG_INVALID', 'influx.org (INFLUX_ORG) is required for InfluxDB 2.x');
  }
  const token =
    target.token ??
    (target.username !== undefined ? `${target.username}:${target.password ?? ''}` : undefined);
  return { api: 'v2', reason, org: target.org ?? '-', bucket: target.bucket ?? target.database, token };
}
