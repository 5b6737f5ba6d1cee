import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { PROJECT_ROOT, waitFor } from '../../runtime/index.js';
import { ManagedMosquitto } from '../../stack/index.js';

const run = promisify(execFile);

/** `broker/cli.ts` as an operator runs it. */
async function cli(...args: string[]): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'broker/cli.ts', ...args], {
      cwd: PROJECT_ROOT,
    });
    return { stdout, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; code?: number; stderr?: string };
    if (typeof failed.code === 'number' && failed.stdout !== undefined)
      return { stdout: failed.stdout, code: failed.code };
    throw new Error(failed.stderr ?? String(error));
  }
}

const PASSWORDS = {
  'gw-a': 'gateway-a-password-mosq',
  'gw-b': 'gateway-b-password-mosq',
  ingest: 'ingest-password-mosq',
  admin: 'admin-password-mosq',
};

/**
 * The platform on Debian's mosquitto 2: `broker/cli.ts add --mosquitto` and `export
 * --mosquitto` turn the credential store into mosquitto's password and ACL files, and
 * mosquitto then lets each credential do what our broker lets it, no more.
 */
describe('credentials and ACLs exported for mosquitto 2', () => {
  const root = mkdtempSync(join(tmpdir(), 'mosquitto-export-'));
  const credentials = join(root, 'credentials.json');
  const auth = join(root, 'mosquitto');
  let mosquitto: ManagedMosquitto;
  const clients: MqttClient[] = [];

  const connect = async (username: keyof typeof PASSWORDS, options: IClientOptions = {}) => {
    const client = await mqtt.connectAsync(mosquitto.url, {
      protocolVersion: 5,
      username,
      password: PASSWORDS[username],
      reconnectPeriod: 0,
      ...options,
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const add = (user: keyof typeof PASSWORDS, ...grant: string[]) =>
      cli('add', user, ...grant, '-p', PASSWORDS[user], '-f', credentials, '--mosquitto', auth);
    await add('gw-a', '--role', 'gateway', '--site', 's', '--gateway', 'gw-a');
    await add('gw-b', '--role', 'gateway', '--site', 's', '--gateway', 'gw-b');
    await add('ingest', '--role', 'ingest', '--site', 's');
    await add('admin', '--role', 'admin', '--site', '*');
    mosquitto = new ManagedMosquitto({
      dataDir: join(root, 'data'),
      authDir: auth,
      logFile: join(root, 'mosquitto.log'),
    });
    await mosquitto.start();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await mosquitto?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('logs each credential in with its own password, and nobody with a wrong one or none', async () => {
    await connect('gw-a');
    await expect(connect('gw-a', { password: 'not-the-password' })).rejects.toThrow(
      /Bad User Name or Password|Not authorized/i,
    );
    await expect(
      mqtt.connectAsync(mosquitto.url, { protocolVersion: 5, reconnectPeriod: 0 }),
    ).rejects.toThrow(/Not authorized|Bad User Name/i);
  });

  it("delivers a gateway's own topics to ingest's shared subscription, and nothing it may not publish", async () => {
    const ingest = await connect('ingest', { clientId: 'ingest-mosq', clean: false });
    const received: string[] = [];
    ingest.on('message', (topic) => received.push(topic));
    // mosquitto grants any subscription and applies the read ACL to every message it delivers.
    await ingest.subscribeAsync(
      ['$share/ingest/v1/s/+/+/telemetry', '$share/ingest/v1/s/+/batch', 'v1/other/+/+/telemetry'],
      { qos: 1 },
    );
    const admin = await connect('admin');
    await admin.publishAsync(topics.telemetry('other', 'gw-x', 'meter-1'), 'another site', { qos: 1 });

    const gateway = await connect('gw-a');
    // MQTT 5 says so in the PUBACK (reason 135), where 3.1.1 has only a closed connection.
    await expect(
      gateway.publishAsync(topics.telemetry('s', 'gw-b', 'meter-9'), 'forged', { qos: 1 }),
    ).rejects.toThrow(/Not authorized/);
    await gateway.publishAsync(topics.batch('s', 'gw-a'), 'own batch', { qos: 1 });
    await gateway.publishAsync(topics.telemetry('s', 'gw-a', 'meter-1'), 'own reading', { qos: 1 });
    await waitFor('the gateway’s own messages', () => received.length >= 2, { timeoutMs: 10_000 });
    expect(received).toEqual([topics.batch('s', 'gw-a'), topics.telemetry('s', 'gw-a', 'meter-1')]);
  });

  it('refuses a removed credential once exported and reloaded', async () => {
    await cli('remove', 'gw-b', '-f', credentials);
    const exported = await cli('export', '--mosquitto', auth, '-f', credentials);
    expect(exported.stdout).toMatch(/removed from passwd: gw-b/);
    mosquitto.reload();
    await waitFor(
      'gw-b refused',
      async () => {
        try {
          (await connect('gw-b')).end(true);
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    await connect('gw-a');
  });

  it('names the users an export cannot give a password, and fails', async () => {
    await cli(
      'add',
      'alerting',
      '--role',
      'alerting',
      '--site',
      's',
      '-p',
      'alerting-password-mosq',
      '-f',
      credentials,
    );
    const exported = await cli('export', '--mosquitto', auth, '-f', credentials);
    expect(exported.code).toBe(2);
    expect(exported.stdout).toMatch(/no mosquitto password for: alerting/);
  });
});
