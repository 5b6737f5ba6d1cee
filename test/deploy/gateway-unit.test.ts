import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EDGE_HEAP_LIMIT_MB, EDGE_PROCESS_ENV } from '../../edge/index.js';
import { projectFile } from '../../runtime/index.js';

const UNIT_FILE = projectFile('edge/deploy/village-gateway.service');

/** `Key=value` lines of one section; a key may repeat (Environment=). */
function section(text: string, name: string): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      current = line.slice(1, -1);
      continue;
    }
    const equals = line.indexOf('=');
    if (current === name && equals > 0)
      entries.push([line.slice(0, equals), unquote(line.slice(equals + 1))]);
  }
  return entries;
}

/** systemd reads `Environment="A=b c"` as the one assignment `A=b c`. */
function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

const service = section(readFileSync(UNIT_FILE, 'utf8'), 'Service');
const values = (key: string) => service.filter(([k]) => k === key).map(([, v]) => v);
const megabytes = (size: string) => {
  const match = /^(\d+)([KMG])$/.exec(size);
  if (!match) throw new Error(`not a systemd size: ${size}`);
  return Number(match[1]) * { K: 1 / 1024, M: 1, G: 1024 }[match[2] as 'K' | 'M' | 'G'];
};

describe("the gateway's systemd unit", () => {
  it('runs the built gateway with the heap limit the stack and compose use', () => {
    expect(values('ExecStart')).toHaveLength(1);
    // install.sh puts the absolute path of the node it found, and the install folder, in place.
    expect(values('ExecStart')[0]).toMatch(/^@NODE@ dist\/edge\/main\.js --config \S+$/);
    expect(values('WorkingDirectory')).toEqual(['@PREFIX@']);
    const environment = values('Environment');
    expect(environment).toContain(`NODE_OPTIONS=${EDGE_PROCESS_ENV.NODE_OPTIONS}`);
    expect(environment.filter((line) => line.startsWith('NODE_OPTIONS='))).toHaveLength(1);
    expect(environment).toContain(`GLIBC_TUNABLES=${EDGE_PROCESS_ENV.GLIBC_TUNABLES}`);
  });

  it('leaves room beside the V8 heap limit for code, the young generation and native memory', () => {
    const high = megabytes(values('MemoryHigh')[0] ?? '');
    const max = megabytes(values('MemoryMax')[0] ?? '');
    expect(high).toBeLessThanOrEqual(max);
    // Measured: ~100 MiB of RSS besides the old generation (bench/README.md, edge-polling).
    expect(high).toBeGreaterThanOrEqual(EDGE_HEAP_LIMIT_MB + 64);
  });
});
