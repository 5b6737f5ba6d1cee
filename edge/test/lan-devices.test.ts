import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type MqttClient } from 'mqtt';
import { eventMessageSchema, telemetryMessageSchema, topics } from '../../contracts/index.js';
import { CATALOGUE } from '../../devices/index.js';
import type { Gateway } from '../gateway.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';

const devices = [
  { id: 'hall-camera', profile: 'frigate-camera', vendorId: 'hall_cam' },
  { id: 'hall-door', profile: 'hikvision-door', vendorId: 'DS50468' },
  { id: 'hall-fire-panel', profile: 'gst-fire-panel', vendorId: 'panel_hall' },
  { id: 'hall-emergency-light', profile: 'gb17945-emergency-light', vendorId: 'el_hall' },
];

/** One vendor message per MQTT profile and the canonical event type it must become. */
const cases = [
  {
    device: 'hall-camera',
    topic: 'frigate/events',
    payload: {
      type: 'new',
      after: { id: 'e1', camera: 'hall_cam', label: 'person', score: 0.91, current_zones: ['door'] },
    },
    type: 'object_detected',
    data: { label: 'person', score: 0.91, zones: 'door' },
  },
  {
    device: 'hall-camera',
    topic: 'frigate/hall_cam/available',
    payload: 'offline',
    type: 'camera_offline',
    data: {},
  },
  {
    device: 'hall-door',
    topic: 'hikvision/DS50468/event',
    payload: { minor: 0x1b, door: 1, cardNo: '12345678' },
    type: 'door_forced',
    data: { door: 1, card_presented: true, code: 0x1b },
  },
  {
    device: 'hall-fire-panel',
    topic: 'firepanel/panel_hall/event',
    payload: { event: 'FIRE', loop: 1, address: 17 },
    type: 'fire_alarm',
    data: { loop: 1, address: 17, panel_event: 'FIRE' },
  },
  {
    device: 'hall-emergency-light',
    topic: 'emlight/el_hall/event',
    payload: { event: 'BATTERY_FAULT' },
    type: 'emergency_battery_fault',
    data: {},
  },
];

async function metric(port: number, line: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(line));
  return found ? Number(found.split(' ').pop()) : 0;
}

describe('LAN MQTT devices', () => {
  const upstream = new UpstreamBroker();
  let gateway: Gateway;
  let lanClient: MqttClient;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    dir = await tempDir();
    await upstream.start();
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        // The bridge is under test here; per-device credentials: test/security/lan-broker.test.ts.
        lan: { enabled: true, host: '127.0.0.1', port: 0, allowAnonymous: true },
        mqttDevices: devices,
      }),
    );
    lanClient = connect(`mqtt://127.0.0.1:${gateway.lanPort}`, { reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      lanClient.once('connect', () => resolve());
      lanClient.once('error', reject);
    });
  });

  afterAll(async () => {
    await lanClient?.endAsync();
    await gateway?.stop();
    await upstream.stop();
    await dir?.remove();
  });

  it('covers every MQTT profile of the catalogue', () => {
    const mqttProfiles = CATALOGUE.filter((p) => p.protocol === 'mqtt').map((p) => p.id);
    expect(new Set(devices.map((d) => d.profile))).toEqual(new Set(mqttProfiles));
  });

  it('maps each vendor payload to the canonical event upstream', async () => {
    for (const c of cases) {
      const payload = typeof c.payload === 'string' ? c.payload : JSON.stringify(c.payload);
      await lanClient.publishAsync(c.topic, payload, { qos: 1 });
      const topic = topics.event('test-site', 'gw-test', c.device);
      const received = await upstream.waitFor(
        `${c.type} from ${c.device}`,
        (m) => m.topic === topic && m.payload.type === c.type,
      );
      const event = eventMessageSchema.parse(received.payload);
      expect(event.data).toEqual(c.data);
    }
    await lanClient.publishAsync('emlight/el_hall/status', JSON.stringify({ battery_pct: 87 }), { qos: 1 });
    const battery = await upstream.waitFor(
      'battery telemetry',
      (m) => m.topic === topics.telemetry('test-site', 'gw-test', 'hall-emergency-light'),
    );
    expect(telemetryMessageSchema.parse(battery.payload).values).toEqual({ battery_pct: 87 });
    expect(gateway.devices().find((d) => d.id === 'hall-camera')?.online).toBe(false);
  });

  it('counts invalid vendor payloads by reason and keeps working', async () => {
    const port = gateway.httpPort;
    const before = {
      notJson: await metric(port, 'edge_vendor_rejected_total{reason="not_json"'),
      schema: await metric(port, 'edge_vendor_rejected_total{reason="schema"'),
      denied: await metric(port, 'edge_lan_refused_total{reason="publish_denied"'),
    };
    await lanClient.publishAsync('hikvision/DS50468/event', '{not json', { qos: 1 });
    await lanClient.publishAsync('firepanel/panel_hall/event', JSON.stringify({ event: 'SMOKE?', loop: 1 }), {
      qos: 1,
    });
    // A door controller the gateway does not know: its topic is no configured device's, so the
    // LAN broker refuses it and drops that client (the bridge never sees it).
    const stranger = connect(`mqtt://127.0.0.1:${gateway.lanPort}`, { reconnectPeriod: 0 });
    stranger.on('connect', () =>
      stranger.publish('hikvision/DS99999/event', JSON.stringify({ minor: 0x1b }), { qos: 1 }),
    );
    await new Promise<void>((resolve) => stranger.once('close', () => resolve()));
    stranger.end(true);
    await lanClient.publishAsync('hikvision/DS50468/event', JSON.stringify({ minor: 0x1c, door: 2 }), {
      qos: 1,
    });
    const held = await upstream.waitFor(
      'door_held_open after the bad payloads',
      (m) => m.payload.type === 'door_held_open',
    );
    expect(held.topic).toBe(topics.event('test-site', 'gw-test', 'hall-door'));
    expect(await metric(port, 'edge_vendor_rejected_total{reason="not_json"')).toBe(before.notJson + 1);
    expect(await metric(port, 'edge_vendor_rejected_total{reason="schema"')).toBe(before.schema + 1);
    expect(await metric(port, 'edge_lan_refused_total{reason="publish_denied"')).toBe(before.denied + 1);
    const doorEvents = upstream.on(topics.event('test-site', 'gw-test', 'hall-door'));
    // The door's first message made it known online; no refused or rejected payload consumed a seq.
    expect(doorEvents.map((m) => m.payload.type)).toEqual(['device_online', 'door_forced', 'door_held_open']);
    expect(doorEvents.map((m) => m.payload.seq)).toEqual([0, 1, 2]);
  });
});
