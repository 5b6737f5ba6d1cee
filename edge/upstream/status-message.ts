import { readFileSync } from 'node:fs';
import type { StatusMessage } from '../../contracts/index.js';
import { projectFile } from '../../runtime/index.js';

export const GATEWAY_VERSION: string = readVersion();

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(projectFile('package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function statusMessage(
  state: StatusMessage['state'],
  reason: NonNullable<StatusMessage['reason']>,
  startedAt: number,
  bufferDepth: number,
): StatusMessage {
  const now = Date.now();
  return {
    state,
    ts: now,
    version: GATEWAY_VERSION,
    uptime_s: Math.max(0, (now - startedAt) / 1000),
    buffer_depth: bufferDepth,
    reason,
  };
}
