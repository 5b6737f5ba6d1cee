import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLanCredential, edgeConfigSchema, Gateway } from '../../edge/index.js';
import { freePort, waitFor } from '../../runtime/index.js';
import { TcpProxy, quietLogger, startTestBroker, type TestBroker } from '../support/index.js';
import { collect, type Received } from './support/mqtt-helpers.js';
import { tryConnect } from './support/mqtt-outcome.js';

/**
 * Issue 20, low list: while the uplink is down the gateway's buffer is bounded, and a
 * full buffer dropped its oldest messages first, whatever they were: a flood of door
 * events on the LAN after a real fire alarm pushed the alarm out. Now readings go
 * first, then events by rising severity.
 */
const SITE = 's1';
const GATEWAY = 'gw-flood';
const DEVICES = [
  { id: 'hall-fire-panel', profile: 'gst-fire-panel', vendorId: 'panel_hall' },
  { id: 'hall-door', profile: 'hikvision-door', vendorId: 'DS50468' },
];

describe('a LAN flood during an uplink outage', () => {
  let dir: string;
  let upstream: TestBroker;
  let proxy: TcpProxy;
  let gateway: Gateway;
  let forwarded: Received[];
  const passwords: Record<string, string> = {};
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'security-eviction-'));
    upstream = await startTestBroker([
      { username: GATEWAY, role: 'gateway', sites: [SITE], gateway: GATEWAY, password: 'gw-flood-password' },
      { username: 'watcher', role: 'admin', sites: ['*'], password: 'watcher-password-ev' },
    ]);
    const watch = await tryConnect(upstream.service.mqttUrl, {
      username: 'watcher',
      password: 'watcher-password-ev',
      clientId: 'watcher-ev',
    });
    if (watch.kind !== 'connected') throw new Error('watcher could not connect');
    closers.push(() => watch.client.endAsync(true));
    forwarded = collect(watch.client);
    await watch.client.subscribeAsync(`v1/${SITE}/#`, { qos: 1 });

    proxy = new TcpProxy(await freePort(), upstream.service.mqttPort);
    await proxy.start();
    proxy.cut();
    const credentialsFile = join(dir, 'lan-credentials.json');
    for (const device of DEVICES) {
      passwords[device.id] = (
        await addLanCredential(credentialsFile, { username: device.id, devices: [device.id] })
      ).password;
    }
    gateway = new Gateway({
      config: edgeConfigSchema().parse({
        site: SITE,
        gateway: GATEWAY,
        upstream: {
          url: `mqtt://127.0.0.1:${proxy.listenPort}`,
          username: GATEWAY,
          password: 'gw-flood-password',
          reconnectMs: 200,
        },
        lan: { enabled: true, host: '127.0.0.1', port: 0, credentialsFile },
        http: { host: '127.0.0.1', port: 0 },
        dataDir: join(dir, 'edge'),
        healthIntervalS: 3600,
        publish: { mode: 'per-device' },
        buffer: { maxMessages: 40, flushIntervalMs: 20 },
        mqttDevices: DEVICES,
      }),
      logger: quietLogger(),
    });
    await gateway.start();
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await gateway?.stop();
    await proxy?.stop();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const lanDevice = async (id: string) => {
    const outcome = await tryConnect(`mqtt://127.0.0.1:${gateway.lanPort}`, {
      username: id,
      password: passwords[id],
      clientId: id,
    });
    if (outcome.kind !== 'connected') throw new Error(`${id} could not connect`);
    closers.push(() => outcome.client.endAsync(true));
    return outcome.client;
  };
  const bufferStatus = async () =>
    (
      (await (await fetch(`http://127.0.0.1:${gateway.httpPort}/api/status`)).json()) as {
        buffer: { depth: number; dropped: number };
      }
    ).buffer;

  it('keeps the fire alarm that came before the flood, and sends it once the uplink is back', async () => {
    const panel = await lanDevice('hall-fire-panel');
    await panel.publishAsync(
      'firepanel/panel_hall/event',
      JSON.stringify({ event: 'FIRE', loop: 1, address: 17 }),
      {
        qos: 1,
      },
    );
    const door = await lanDevice('hall-door');
    for (let i = 0; i < 200; i++) {
      await door.publishAsync(
        'hikvision/DS50468/event',
        JSON.stringify({ minor: 0x01, door: 1, cardNo: `${i}` }),
        {
          qos: 1,
        },
      );
    }
    await waitFor('the buffer full and dropping', async () => (await bufferStatus()).dropped >= 160, {
      timeoutMs: 20_000,
    });

    proxy.restore();
    await waitFor('the buffer drained upstream', async () => (await bufferStatus()).depth === 0, {
      timeoutMs: 30_000,
    });
    const events = forwarded
      .filter((m) => m.topic.startsWith(`v1/${SITE}/${GATEWAY}/`) && m.topic.endsWith('/event'))
      .map((m) => ({
        device: m.topic.split('/')[3],
        type: (JSON.parse(m.payload) as { type: string }).type,
      }));
    expect(events.filter((e) => e.type === 'fire_alarm')).toEqual([
      { device: 'hall-fire-panel', type: 'fire_alarm' },
    ]);
  });
});
