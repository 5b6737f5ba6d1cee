import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../runtime/index.js';

interface LogLine {
  level: number;
  msg: string;
  module?: string;
  code?: string;
  err?: { message: string };
}

describe('a module of the village process that crashes', () => {
  it('ends the process non-zero with a fatal line, after stopping the other modules', async () => {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', join('test', 'deploy', 'fixtures', 'crashing-village.ts')],
        { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'info' } },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, out: stdout + stderr }),
      );
    });
    expect(code).toBe(1);
    const lines = out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
    const fatal = lines.find((line) => line.level === 60);
    expect(fatal?.code).toBe('MODULE_CRASHED');
    expect(fatal?.err?.message).toBe('a bug in a module');
    // The modules are stopped, the last started first, before the process ends.
    const stopped = lines.filter((line) => line.msg === 'module stopped').map((line) => line.module);
    expect(stopped).toEqual(['ingest', 'broker']);
    expect(lines.indexOf(fatal!)).toBeLessThan(lines.findIndex((line) => line.msg === 'module stopped'));
  }, 60_000);
});
