import { connect as tcpConnect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { addLanCredential, edgeConfigSchema, Gateway, type EdgeConfigInput } from '../../edge/index.js';
import { waitFor } from '../../runtime/index.js';
import { remainingLength } from '../fuzz/support/mqtt-bytes.js';
import { closed, collect, subscribeGranted, type Received } from './support/mqtt-helpers.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { quietLogger, startTestBroker, type TestBroker } from '../support/index.js';

/**
 * Issue 20, item 4: the gateway's LAN broker. Before, anyone on the village LAN could
 * connect without a password, publish a fire panel's RESET (clearing a real alarm) or
 * FIRE (raising a false one), read door events on `#`, and send one huge PUBLISH into a
 * gateway with a 256 MB memory limit.
 */
const SITE = 'lan-village';
const GATEWAY = 'gw-lan';
const DEVICES = [
  { id: 'hall-fire-panel', profile: 'gst-fire-panel', vendorId: 'panel_hall' },
  { id: 'hall-door', profile: 'hikvision-door', vendorId: 'DS50468' },
  { id: 'gate-camera', profile: 'frigate-camera', vendorId: 'gate_cam' },
  { id: 'yard-camera', profile: 'frigate-camera', vendorId: 'yard_cam' },
];
const PANEL_TOPIC = 'firepanel/panel_hall/event';
const DOOR_TOPIC = 'hikvision/DS50468/event';
const fire = (event: string) => JSON.stringify({ event, loop: 1, address: 17 });

interface Village {
  upstream: TestBroker;
  gateway: Gateway;
  /** What reached the central broker from the gateway. */
  forwarded: Received[];
  passwords: Record<string, string>;
  dir: string;
  stop(): Promise<void>;
}

async function startVillage(lan: Partial<EdgeConfigInput['lan']> = {}): Promise<Village> {
  const dir = await mkdtemp(join(tmpdir(), 'security-lan-'));
  const gatewayPassword = 'gateway-password-lan';
  const upstream = await startTestBroker([
    { username: GATEWAY, role: 'gateway', sites: [SITE], gateway: GATEWAY, password: gatewayPassword },
    { username: 'watcher', role: 'admin', sites: ['*'], password: 'watcher-password-lan' },
  ]);
  const watch = await tryConnect(upstream.service.mqttUrl, {
    username: 'watcher',
    password: 'watcher-password-lan',
    clientId: 'watcher-lan',
  });
  if (watch.kind !== 'connected') throw new Error('watcher could not connect');
  const forwarded = collect(watch.client);
  await watch.client.subscribeAsync(`v1/${SITE}/#`, { qos: 1 });

  const credentialsFile = join(dir, 'lan-credentials.json');
  const passwords: Record<string, string> = {};
  for (const device of DEVICES) {
    passwords[device.id] = (
      await addLanCredential(credentialsFile, { username: device.id, devices: [device.id] })
    ).password;
  }
  const gateway = new Gateway({
    config: edgeConfigSchema().parse({
      site: SITE,
      gateway: GATEWAY,
      upstream: {
        url: upstream.service.mqttUrl,
        username: GATEWAY,
        password: gatewayPassword,
        reconnectMs: 200,
      },
      lan: { enabled: true, host: '127.0.0.1', port: 0, credentialsFile, ...lan },
      http: { host: '127.0.0.1', port: 0 },
      dataDir: join(dir, 'edge'),
      healthIntervalS: 3600,
      publish: { mode: 'per-device' },
      mqttDevices: DEVICES,
    }),
    logger: quietLogger(),
  });
  await gateway.start();
  return {
    upstream,
    gateway,
    forwarded,
    passwords,
    dir,
    async stop() {
      await gateway.stop();
      await watch.client.endAsync(true);
      await upstream.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const events = (forwarded: readonly Received[], device: string) =>
  forwarded
    .filter((m) => m.topic === topics.event(SITE, GATEWAY, device))
    .map((m) => (JSON.parse(m.payload) as { type: string }).type);

describe('the gateway’s LAN broker, deny by default', () => {
  let village: Village;
  const open = new Set<MqttClient>();
  const lanUrl = () => `mqtt://127.0.0.1:${village.gateway.lanPort}`;
  const device = async (id: string, options: IClientOptions = {}) => {
    const outcome = await tryConnect(lanUrl(), {
      username: id,
      password: village.passwords[id],
      clientId: id,
      ...options,
    });
    if (outcome.kind !== 'connected') throw new Error(`${id} could not connect: ${JSON.stringify(outcome)}`);
    open.add(outcome.client);
    return outcome.client;
  };

  beforeAll(async () => {
    village = await startVillage();
  });
  afterEach(async () => {
    await Promise.all([...open].map((client) => client.endAsync(true)));
    open.clear();
  });
  afterAll(async () => {
    await village?.stop();
  });

  it('refuses clients without a credential or with a wrong password', async () => {
    expect(await tryConnect(lanUrl(), { clientId: 'anonymous-tool' })).toEqual({ kind: 'refused', code: 5 });
    expect(
      await tryConnect(lanUrl(), {
        username: 'hall-fire-panel',
        password: 'guessed-password',
        clientId: 'x',
      }),
    ).toEqual({ kind: 'refused', code: 4 });
  });

  it('forwards what a device publishes on its own topic', async () => {
    const panel = await device('hall-fire-panel');
    await panel.publishAsync(PANEL_TOPIC, fire('FIRE'), { qos: 1 });
    await waitFor(
      'the fire alarm upstream',
      () => events(village.forwarded, 'hall-fire-panel').includes('fire_alarm'),
      {
        timeoutMs: 10_000,
      },
    );
  });

  it('drops a device that publishes another device’s alarm or reset, and forwards none of it', async () => {
    const door = await device('hall-door');
    const before = events(village.forwarded, 'hall-fire-panel').length;
    const dropped = closed(door);
    door.publish(PANEL_TOPIC, fire('RESET'), { qos: 1 });
    await dropped;
    // The panel's own message afterwards is a marker: anything the door sent would be ahead of it.
    const panel = await device('hall-fire-panel');
    await panel.publishAsync(PANEL_TOPIC, fire('FAULT'), { qos: 1 });
    await waitFor(
      'the panel’s fault upstream',
      () => events(village.forwarded, 'hall-fire-panel').slice(before).includes('fire_fault'),
      { timeoutMs: 10_000 },
    );
    expect(events(village.forwarded, 'hall-fire-panel').slice(before)).toEqual(['fire_fault']);
  });

  it('does not let one camera speak for another on the topic they share', async () => {
    const gate = await device('gate-camera');
    const forged = { type: 'new', after: { id: 'e1', camera: 'yard_cam', label: 'person', score: 0.9 } };
    const dropped = closed(gate);
    gate.publish('frigate/events', JSON.stringify(forged), { qos: 1 });
    await dropped;
    const own = { type: 'new', after: { id: 'e2', camera: 'gate_cam', label: 'person', score: 0.9 } };
    const again = await device('gate-camera');
    await again.publishAsync('frigate/events', JSON.stringify(own), { qos: 1 });
    await waitFor(
      'the gate camera’s own event',
      () => events(village.forwarded, 'gate-camera').includes('object_detected'),
      {
        timeoutMs: 10_000,
      },
    );
    expect(events(village.forwarded, 'yard-camera')).toEqual([]);
  });

  it('lets nobody subscribe, so door events cannot be read off the LAN', async () => {
    const door = await device('hall-door');
    expect(await subscribeGranted(door, ['#', DOOR_TOPIC])).toEqual({ '#': 128, [DOOR_TOPIC]: 128 });
  });

  it('does not let a device take over another device’s connection or send its will', async () => {
    const camera = await device('yard-camera', {
      will: { topic: 'frigate/yard_cam/available', payload: Buffer.from('offline'), qos: 1, retain: false },
    });
    let cameraClosed = false;
    camera.on('close', () => (cameraClosed = true));
    // The door's credential, asking for the camera's client id, gets a session of its own.
    const door = await device('hall-door', { clientId: 'yard-camera' });
    await door.endAsync();
    open.delete(door);
    // A will of its own devices only: the camera's is refused at CONNECT.
    expect(
      await tryConnect(lanUrl(), {
        username: 'hall-door',
        password: village.passwords['hall-door'],
        clientId: 'door-2',
        will: { topic: 'frigate/yard_cam/available', payload: Buffer.from('offline'), qos: 1, retain: false },
      }),
    ).toEqual({ kind: 'refused', code: 5 });
    await camera.publishAsync('frigate/yard_cam/available', 'online', { qos: 1 });
    await waitFor(
      'the camera online upstream',
      () => events(village.forwarded, 'yard-camera').includes('camera_online'),
      {
        timeoutMs: 10_000,
      },
    );
    expect(cameraClosed).toBe(false);
    expect(events(village.forwarded, 'yard-camera')).not.toContain('camera_offline');
  });

  it('cuts off a 200 MB PUBLISH as it arrives and keeps serving', async () => {
    const socket = tcpConnect({ port: village.gateway.lanPort, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const connectPacket = Buffer.from([
      0x10, 0x00, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x1e, 0x00, 0x02, 0x68, 0x75,
    ]);
    connectPacket[1] = connectPacket.length - 2;
    const header = Buffer.concat([Buffer.from([0x30]), remainingLength(200 * 1024 * 1024)]);
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const closedBySender = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(Buffer.concat([connectPacket, header]));
    while (!socket.destroyed && sent < 32 * 1024 * 1024) {
      if (!socket.write(chunk))
        await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
      sent += chunk.length;
    }
    await closedBySender;
    expect(sent).toBeLessThan(32 * 1024 * 1024);
    const panel = await device('hall-fire-panel');
    await panel.publishAsync(PANEL_TOPIC, fire('FIRE'), { qos: 1 });
  });
});

describe('the gateway’s LAN broker with anonymous access turned on', () => {
  let village: Village;

  beforeAll(async () => {
    village = await startVillage({ allowAnonymous: true });
  });
  afterAll(async () => {
    await village?.stop();
  });

  it('takes anonymous devices on configured topics only, still no subscriptions, and says so on the status page', async () => {
    const outcome = await tryConnect(`mqtt://127.0.0.1:${village.gateway.lanPort}`, {
      clientId: 'old-panel',
    });
    if (outcome.kind !== 'connected') throw new Error(`anonymous device refused: ${outcome.kind}`);
    const client = outcome.client;
    expect(await subscribeGranted(client, ['#'])).toEqual({ '#': 128 });
    await client.publishAsync(PANEL_TOPIC, fire('FIRE'), { qos: 1 });
    await waitFor(
      'the anonymous alarm upstream',
      () => events(village.forwarded, 'hall-fire-panel').includes('fire_alarm'),
      {
        timeoutMs: 10_000,
      },
    );
    const dropped = closed(client);
    client.publish('some/other/topic', 'x', { qos: 1 });
    await dropped;
    client.end(true);

    const page = await (await fetch(`http://127.0.0.1:${village.gateway.httpPort}/`)).text();
    expect(page).toContain('lan-anonymous-warning');
    const status = (await (
      await fetch(`http://127.0.0.1:${village.gateway.httpPort}/api/status`)
    ).json()) as {
      lan?: { anonymous: boolean };
    };
    expect(status.lan).toEqual({ anonymous: true });
  });
});
