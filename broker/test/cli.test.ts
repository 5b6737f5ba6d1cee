import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCredentialsFile } from '../credentials/credentials-file.js';
import { verifyPassword } from '../credentials/password-hash.js';
import { PROJECT_ROOT } from '../../runtime/index.js';

const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { BROKER_CREDENTIALS_FILE: _ignored, ...env } = process.env;
    const { stdout, stderr } = await run('npx', ['tsx', 'broker/cli.ts', ...args], {
      cwd: PROJECT_ROOT,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('broker credentials CLI', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-cli-'));
    file = join(dir, 'credentials.json');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('adds a gateway with a generated password printed once, lists it without hashes, removes it', async () => {
    const added = await cli(
      'add',
      'gw-a',
      '--role',
      'gateway',
      '--site',
      's',
      '--gateway',
      'gw-a',
      '--file',
      file,
    );
    expect(added.code).toBe(0);
    const password = /password \(shown once.*\): (\S+)/.exec(added.stdout)?.[1];
    expect(password).toBeDefined();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const [entry] = await readCredentialsFile(file);
    expect(await verifyPassword(password as string, entry?.hash ?? '')).toBe(true);

    const listed = await cli('list', '--file', file);
    expect(listed.stdout).toContain('gw-a\trole=gateway\tsites=s gateway=gw-a');
    expect(listed.stdout).not.toContain('scrypt');
    expect(listed.stdout).not.toContain(entry?.hash.split('$')[5]);

    const removed = await cli('remove', 'gw-a', '--file', file);
    expect(removed.code).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, credentials: [] });
  });

  it('fails with a message for an invalid credential and for an unknown user', async () => {
    const invalid = await cli('add', 'gw-b', '--role', 'gateway', '--site', 's', '--file', file);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('a gateway credential needs its gateway id');
    const unknown = await cli('remove', 'nobody', '--file', file);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user nobody');
  });

  it('explains itself in Chinese and English', async () => {
    const help = await cli('add', '--help');
    expect(help.stdout).toContain('添加用户');
    expect(help.stdout).toContain('add a user');
  });
});
