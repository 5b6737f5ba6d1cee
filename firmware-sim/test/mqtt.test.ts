import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findVendorMapping, getMqttProfile } from '../../devices/index.js';
import { freePort, waitFor } from '../../runtime/index.js';
import { Simulator } from '../simulator.js';
import { silentLogger, testConfig, testSite } from './helpers.js';

interface Received {
  topic: string;
  text: string;
  retain: boolean;
}

/** Noon in China on 2024-05-01, running on from there: cameras see people in daylight. */
const NOON = Date.UTC(2024, 4, 1, 4, 0, 0);

describe('MQTT security devices', () => {
  const site = testSite([
    { id: 'cam-1', profile: 'frigate-camera', vendorId: 'gate_cam' },
    { id: 'door-1', profile: 'hikvision-door', vendorId: 'DS50468' },
    { id: 'panel-1', profile: 'gst-fire-panel', vendorId: 'panel_a' },
    { id: 'light-1', profile: 'gb17945-emergency-light', vendorId: 'el_a' },
    { id: 'light-b', profile: 'gb17945-emergency-light', vendorId: 'el_b', zone: 'zone-b' },
    { id: 'panel-b', profile: 'gst-fire-panel', vendorId: 'panel_b', zone: 'zone-b' },
  ]);
  const received: Received[] = [];
  let broker: Aedes;
  let server: Server;
  let observer: MqttClient;
  let simulator: Simulator;
  const epoch = Date.now();

  const messagesOn = (topic: string) => received.filter((m) => m.topic === topic).map((m) => m.text);
  const waitForMessage = (topic: string, predicate: (text: string) => boolean = () => true) =>
    waitFor(`a message on ${topic}`, () => messagesOn(topic).find(predicate), {
      timeoutMs: 5000,
      intervalMs: 20,
    });

  const byTopicPrefix = {
    frigate: 'frigate-camera',
    hikvision: 'hikvision-door',
    emlight: 'gb17945-emergency-light',
    firepanel: 'gst-fire-panel',
  } as const;

  /** Every vendor payload must pass its profile's own zod schema, as the gateway will check it. */
  function expectAllValid(messages: readonly Received[]): void {
    expect(messages.length).toBeGreaterThan(5);
    for (const message of messages) {
      const profile = getMqttProfile(
        byTopicPrefix[message.topic.split('/')[0] as keyof typeof byTopicPrefix],
      );
      const match = findVendorMapping(profile, message.topic);
      expect(match, message.topic).toBeDefined();
      const payload: unknown = match?.mapping.format === 'text' ? message.text : JSON.parse(message.text);
      const result = match?.mapping.payload.safeParse(payload);
      expect(result?.success, `${message.topic} ${message.text}`).toBe(true);
    }
  }

  beforeAll(async () => {
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    observer = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'observer' });
    observer.on('message', (topic, payload, packet) =>
      received.push({ topic, text: payload.toString(), retain: packet.retain }),
    );
    await observer.subscribeAsync('#', { qos: 1 });
    simulator = new Simulator({
      config: testConfig({
        lanBrokerUrl: `mqtt://127.0.0.1:${port}`,
        intervals: {
          statusMs: 200,
          activityMs: 50,
          burstSpacingMs: 20,
          keepAliveMs: 100,
          selfTestMs: 300,
          linkageMs: 50,
        },
      }),
      logger: silentLogger,
      site,
      clock: () => NOON + (Date.now() - epoch),
    });
    await simulator.start();
    await waitFor('devices connected', () => simulator.ready(), { timeoutMs: 5000, intervalMs: 20 });
  });

  afterAll(async () => {
    await simulator?.stop();
    await observer?.endAsync();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('publishes everyday traffic that validates against the profiles', async () => {
    await waitForMessage('frigate/events');
    await waitForMessage('hikvision/DS50468/event');
    await waitForMessage('emlight/el_a/event', (t) => t.includes('SELF_TEST'));
    await waitFor('two status reports', () => messagesOn('emlight/el_a/status').length >= 2, {
      timeoutMs: 5000,
      intervalMs: 20,
    });
    expect(messagesOn('frigate/gate_cam/available')).toContain('online');

    expectAllValid(received);
    const detection = JSON.parse(messagesOn('frigate/events')[0] as string) as {
      type: string;
      after: { camera: string; label: string };
    };
    expect(detection.type).toBe('new');
    expect(detection.after.camera).toBe('gate_cam');
    expect(['person', 'car']).toContain(detection.after.label);
    const codes = messagesOn('hikvision/DS50468/event').map(
      (t) => (JSON.parse(t) as { minor: number }).minor,
    );
    expect(codes.slice(0, 2)).toEqual([0x01, 0x19]);
    expect(messagesOn('firepanel/panel_a/event')).toEqual([]);
  });

  it('door-forced publishes minor 0x1b on the door topic', async () => {
    simulator.injectFault({ kind: 'door-forced', target: 'door-1' });
    const text = await waitForMessage(
      'hikvision/DS50468/event',
      (t) => (JSON.parse(t) as { minor: number }).minor === 0x1b,
    );
    expect(JSON.parse(text)).toMatchObject({ minor: 0x1b, door: 1 });
  });

  it('access-denied-burst publishes six denied cards', async () => {
    simulator.injectFault({ kind: 'access-denied-burst', target: 'door-1' });
    const denied = () =>
      messagesOn('hikvision/DS50468/event').filter(
        (t) => (JSON.parse(t) as { minor: number }).minor === 0x06,
      );
    await waitFor('six denied cards', () => denied().length >= 6, { timeoutMs: 5000, intervalMs: 20 });
    expect(denied()).toHaveLength(6);
  });

  it('camera-offline publishes offline, and online again when cleared', async () => {
    const fault = simulator.injectFault({ kind: 'camera-offline', target: 'cam-1' });
    await waitForMessage('frigate/gate_cam/available', (t) => t === 'offline');
    const onlineBefore = messagesOn('frigate/gate_cam/available').filter((t) => t === 'online').length;
    simulator.clearFault(fault.id);
    await waitFor(
      'online again',
      () => messagesOn('frigate/gate_cam/available').filter((t) => t === 'online').length > onlineBefore,
      {
        timeoutMs: 5000,
        intervalMs: 20,
      },
    );
  });

  it('fire-alarm publishes FIRE with loop and address, and RESET for the same detector', async () => {
    const fault = simulator.injectFault({ kind: 'fire-alarm', target: 'panel-1' });
    const fire = JSON.parse(await waitForMessage('firepanel/panel_a/event', (t) => t.includes('"FIRE"'))) as {
      loop: number;
      address: number;
    };
    expect(fire.loop).toBeGreaterThan(0);
    expect(fire.address).toBeGreaterThan(0);
    simulator.clearFault(fault.id);
    const reset = JSON.parse(
      await waitForMessage('firepanel/panel_a/event', (t) => t.includes('"RESET"')),
    ) as { loop: number; address: number };
    expect(reset).toMatchObject({ loop: fire.loop, address: fire.address });
  });

  it('a power outage in a zone makes its emergency lights report mains lost, then restored', async () => {
    const fault = simulator.injectFault({ kind: 'power-outage', target: 'zone-a' });
    await waitForMessage('emlight/el_a/event', (t) => t.includes('MAINS_LOST'));
    simulator.clearFault(fault.id);
    await waitForMessage('emlight/el_a/event', (t) => t.includes('MAINS_RESTORED'));
    expect(messagesOn('emlight/el_b/event').some((t) => t.includes('MAINS'))).toBe(false);
  });

  it('keeps door controllers, panels and cameras alive with their keep-alives; a silent device sends nothing', async () => {
    await waitForMessage('hikvision/DS50468/heartbeat');
    await waitForMessage('firepanel/panel_a/heartbeat');
    await waitForMessage('frigate/gate_cam/camera_fps');
    const fault = simulator.injectFault({ kind: 'device-silent', target: 'panel-1' });
    const quietFrom = received.length;
    await waitForMessage('firepanel/panel_b/heartbeat', () => received.length > quietFrom + 20);
    expect(received.slice(quietFrom).some((m) => m.topic.startsWith('firepanel/panel_a/'))).toBe(false);
    simulator.clearFault(fault.id);
    const before = messagesOn('firepanel/panel_a/heartbeat').length;
    await waitForMessage(
      'firepanel/panel_a/heartbeat',
      () => messagesOn('firepanel/panel_a/heartbeat').length > before,
    );
  });

  it('lights of the building switch to emergency mode on a fire alarm, unless the linkage is broken', async () => {
    const broken = simulator.injectFault({ kind: 'linkage-failure', target: 'light-b' });
    const fireA = simulator.injectFault({ kind: 'fire-alarm', target: 'panel-1' });
    const fireB = simulator.injectFault({ kind: 'fire-alarm', target: 'panel-b' });
    await waitForMessage('emlight/el_a/event', (t) => t.includes('EMERGENCY_ON'));
    await waitForMessage(
      'firepanel/panel_b/heartbeat',
      () => messagesOn('firepanel/panel_b/heartbeat').length > 5,
    );
    expect(messagesOn('emlight/el_b/event').some((t) => t.includes('EMERGENCY_ON'))).toBe(false);
    // repaired while the alarm lasts: it switches on late
    simulator.clearFault(broken.id);
    await waitForMessage('emlight/el_b/event', (t) => t.includes('EMERGENCY_ON'));
    simulator.clearFault(fireA.id);
    simulator.clearFault(fireB.id);
    await waitForMessage('emlight/el_a/event', (t) => t.includes('EMERGENCY_OFF'));
    await waitForMessage('emlight/el_b/event', (t) => t.includes('EMERGENCY_OFF'));
  });

  it('runs periodic self-tests; a failing light reports fail, a light missing them reports none until repaired', async () => {
    const failing = simulator.injectFault({ kind: 'self-test-failed', target: 'light-1' });
    const missing = simulator.injectFault({ kind: 'self-test-missing', target: 'light-b' });
    await waitForMessage('emlight/el_a/event', (t) => t.includes('"result":"fail"'));
    const quietFrom = received.length;
    await waitForMessage(
      'emlight/el_a/event',
      () =>
        received
          .slice(quietFrom)
          .filter((m) => m.topic === 'emlight/el_a/event' && m.text.includes('SELF_TEST')).length >= 2,
    );
    expect(
      received.slice(quietFrom).some((m) => m.topic === 'emlight/el_b/event' && m.text.includes('SELF_TEST')),
    ).toBe(false);
    simulator.clearFault(failing.id);
    simulator.clearFault(missing.id);
    await waitForMessage(
      'emlight/el_b/event',
      (t) => t.includes('SELF_TEST') && t.includes('"result":"pass"'),
    );
  });

  it('door faults close the door when cleared, and the reader tamper resumes', async () => {
    const cases = [
      ['door-forced', 0x1b, 0x1a],
      ['door-held-open', 0x1c, 0x1a],
      ['reader-tamper', 0x406, 0x407],
    ] as const;
    for (const earlier of simulator.faults().filter((f) => f.target === 'door-1'))
      simulator.clearFault(earlier.id);
    for (const [kind, startMinor, clearMinor] of cases) {
      const from = received.length;
      const minors = () =>
        received
          .slice(from)
          .filter((m) => m.topic === 'hikvision/DS50468/event')
          .map((m) => (JSON.parse(m.text) as { minor: number }).minor);
      const fault = simulator.injectFault({ kind, target: 'door-1' });
      await waitForMessage('hikvision/DS50468/event', () => minors().includes(startMinor));
      simulator.clearFault(fault.id);
      await waitForMessage('hikvision/DS50468/event', () =>
        minors().slice(minors().indexOf(startMinor)).includes(clearMinor),
      );
    }
  });

  it('rejects a fault aimed at the wrong kind of device', () => {
    expect(() => simulator.injectFault({ kind: 'door-forced', target: 'cam-1' })).toThrow(/access-control/);
    expect(() => simulator.injectFault({ kind: 'power-outage', target: 'nowhere' })).toThrow(/zone/);
  });

  it('camera tamper and battery fault payloads validate too, like everything published', async () => {
    const tamper = simulator.injectFault({ kind: 'camera-tamper', target: 'cam-1' });
    await waitForMessage('frigate/gate_cam/tamper', (t) => t === 'ON');
    simulator.clearFault(tamper.id);
    await waitForMessage('frigate/gate_cam/tamper', (t) => t === 'OFF');
    simulator.injectFault({ kind: 'emergency-battery-fault', target: 'light-b' });
    await waitForMessage('emlight/el_b/event', (t) => t.includes('BATTERY_FAULT'));
    await waitForMessage(
      'emlight/el_b/status',
      (t) => (JSON.parse(t) as { battery_pct: number }).battery_pct < 20,
    );
    expectAllValid(received);
  });
});
