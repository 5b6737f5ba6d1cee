import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addCredential, listCredentials, removeCredential } from '../credentials/credential-admin.js';
import { readCredentialsFile } from '../credentials/credentials-file.js';
import { verifyPassword } from '../credentials/password-hash.js';

describe('credentials file', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'broker-creds-'));
    file = join(dir, 'nested', 'credentials.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('adds with a generated password, writes mode 0600 atomically, lists without hashes, removes', async () => {
    const { password } = await addCredential(file, {
      username: 'gw-a',
      role: 'gateway',
      sites: ['s'],
      gateway: 'gw-a',
    });
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'nested'))).toEqual(['credentials.json']);
    const [entry] = await readCredentialsFile(file);
    expect(await verifyPassword(password, entry?.hash ?? '')).toBe(true);
    expect(await readFile(file, 'utf8')).not.toContain(password);

    expect(await listCredentials(file)).toEqual([
      { username: 'gw-a', role: 'gateway', sites: ['s'], gateway: 'gw-a' },
    ]);
    await expect(addCredential(file, { username: 'gw-a', role: 'admin', sites: ['*'] })).rejects.toThrow(
      /already exists/,
    );
    expect(await removeCredential(file, 'gw-a')).toBe(true);
    expect(await removeCredential(file, 'gw-a')).toBe(false);
    expect(await listCredentials(file)).toEqual([]);
  });

  it.each([
    ['a gateway without its gateway id', { username: 'g', role: 'gateway', sites: ['s'] }, /gateway id/],
    [
      'a gateway on every site',
      { username: 'g', role: 'gateway', sites: ['*'], gateway: 'g' },
      /exactly one site/,
    ],
    [
      'a gateway id on another role',
      { username: 'i', role: 'ingest', sites: ['s'], gateway: 'g' },
      /only gateway/,
    ],
    [
      'the reserved gateway id "alerts"',
      { username: 'g', role: 'gateway', sites: ['s'], gateway: 'alerts' },
      /reserved/,
    ],
    ['an upper-case site id', { username: 'i', role: 'ingest', sites: ['Site'] }, /lowercase/],
  ] as const)('refuses %s', async (_what, grant, message) => {
    await expect(addCredential(file, { ...grant, sites: [...grant.sites] } as never)).rejects.toThrow(
      message,
    );
  });

  it('refuses a short password', async () => {
    await expect(
      addCredential(file, { username: 'a', role: 'admin', sites: ['*'], password: 'short' }),
    ).rejects.toThrow(/at least/);
  });

  it('reports invalid files with the path of the bad entry', async () => {
    await writeFile(
      file.replace('nested/', ''),
      JSON.stringify({ version: 1, credentials: [{ username: 'x', role: 'root', sites: ['*'], hash: 'h' }] }),
    );
    await expect(readCredentialsFile(file.replace('nested/', ''))).rejects.toThrow(/credentials\.0\.role/);
  });

  it('refuses a file that names a username twice', async () => {
    await addCredential(file, { username: 'ops', role: 'admin', sites: ['*'] });
    const written = JSON.parse(await readFile(file, 'utf8')) as { credentials: unknown[] };
    written.credentials.push(written.credentials[0]);
    await writeFile(file, JSON.stringify(written));
    await expect(readCredentialsFile(file)).rejects.toThrow(/duplicate username ops/);
  });
});
