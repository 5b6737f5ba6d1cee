import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientIdOwners } from '../auth/client-id-binding.js';
import { principalFromGrant } from '../auth/principal.js';
import { addCredential } from '../credentials/credential-admin.js';
import { CredentialStore } from '../credentials/credential-store.js';
import { quietLogger } from './harness.js';

describe('ClientIdOwners', () => {
  let dir: string;
  let store: CredentialStore;
  let owners: ClientIdOwners;
  const principal = (username: string) => {
    const grant = store.get(username);
    if (!grant) throw new Error(`no ${username}`);
    return principalFromGrant(grant);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'client-ids-'));
    const file = join(dir, 'credentials.json');
    const password = 'a-long-enough-password';
    await addCredential(file, { username: 'ingest', role: 'ingest', sites: ['*'], password });
    await addCredential(file, { username: 'ingest-s2', role: 'ingest', sites: ['s2'], password });
    await addCredential(file, {
      username: 'gw-1',
      role: 'gateway',
      sites: ['s1'],
      gateway: 'gw-1',
      password,
    });
    await addCredential(file, {
      username: 'gw-1-new',
      role: 'gateway',
      sites: ['s1'],
      gateway: 'gw-1',
      password,
    });
    store = new CredentialStore({ file, logger: quietLogger() });
    await store.start();
    owners = new ClientIdOwners(store);
  });
  afterAll(async () => {
    await store.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['ingest', 'ingest', { ok: true, clientId: 'ingest' }],
    ['ingest', 'ingest-1', { ok: true, clientId: 'ingest-1' }],
    ['ingest', 'ingest/tool', { ok: true, clientId: 'ingest/tool' }],
    ['ingest', 'ingest-s2-1', { ok: false, owner: 'ingest-s2' }],
    ['ingest-s2', 'ingest-s2-1', { ok: true, clientId: 'ingest-s2-1' }],
    ['ingest-s2', 'ingest-1', { ok: false, owner: 'ingest' }],
    ['ingest', 'ingestion', { ok: true, clientId: 'ingest/ingestion' }],
    ['gw-1', 'edge-s1-gw-1', { ok: true, clientId: 'edge-s1-gw-1' }],
    ['gw-1-new', 'edge-s1-gw-1-check', { ok: true, clientId: 'edge-s1-gw-1-check' }],
    ['ingest', 'edge-s1-gw-1', { ok: false, owner: 'edge-s1-gw-1' }],
    ['gw-1', 'edge-s9-gw-9', { ok: true, clientId: 'gw-1/edge-s9-gw-9' }],
    ['gw-1', 'mqttjs_1a2b', { ok: true, clientId: 'gw-1/mqttjs_1a2b' }],
    ['gw-1', 'ingest/mqttjs_1a2b', { ok: false, owner: 'ingest' }],
  ])('%s asking for %s', (username, requested, expected) => {
    expect(owners.bind(principal(username), requested)).toEqual(expected);
  });
});
