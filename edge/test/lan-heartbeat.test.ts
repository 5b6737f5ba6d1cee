import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type MqttClient } from 'mqtt';
import { eventMessageSchema, topics } from '../../contracts/index.js';
import type { Gateway } from '../gateway.js';
import { HEARTBEAT_MISSED } from '../lan/lan-device-watch.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';

const HEARTBEAT_S = 2;

/**
 * LAN devices are judged like polled meters: silence past the heartbeat is reported
 * offline upstream (and on the status API), the next message brings them back, and
 * a device never heard from is reported too. Keep-alives stay at the gateway.
 */
describe('LAN device heartbeat', () => {
  const upstream = new UpstreamBroker();
  let gateway: Gateway;
  let lanClient: MqttClient;
  let dir: Awaited<ReturnType<typeof tempDir>>;

  const eventsOf = (device: string) =>
    upstream.on(topics.event('test-site', 'gw-test', device)).map((m) => eventMessageSchema.parse(m.payload));

  beforeAll(async () => {
    dir = await tempDir();
    await upstream.start();
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        lan: { enabled: true, host: '127.0.0.1', port: 0, allowAnonymous: true },
        mqttDevices: [
          {
            id: 'hall-fire-panel',
            profile: 'gst-fire-panel',
            vendorId: 'panel_hall',
            heartbeatS: HEARTBEAT_S,
          },
          { id: 'hall-door', profile: 'hikvision-door', vendorId: 'DS50468', heartbeatS: HEARTBEAT_S },
        ],
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

  it('announces a device online on its first keep-alive, offline once it falls silent, online again when it reports', async () => {
    await lanClient.publishAsync('firepanel/panel_hall/heartbeat', JSON.stringify({ state: 'normal' }), {
      qos: 1,
    });
    await upstream.waitFor('fire panel online', () => eventsOf('hall-fire-panel').length >= 1);
    expect(eventsOf('hall-fire-panel')[0]?.type).toBe('device_online');
    expect(gateway.devices().find((d) => d.id === 'hall-fire-panel')?.online).toBe(true);

    await upstream.waitFor('fire panel offline', () =>
      eventsOf('hall-fire-panel').some((e) => e.type === 'device_offline'),
    );
    const offline = eventsOf('hall-fire-panel').find((e) => e.type === 'device_offline');
    expect(offline?.data.code).toBe(HEARTBEAT_MISSED);
    expect(gateway.devices().find((d) => d.id === 'hall-fire-panel')?.online).toBe(false);

    await lanClient.publishAsync('firepanel/panel_hall/heartbeat', JSON.stringify({ state: 'normal' }), {
      qos: 1,
    });
    await upstream.waitFor('fire panel back', () => eventsOf('hall-fire-panel').length >= 3);
    expect(eventsOf('hall-fire-panel').map((e) => e.type)).toEqual([
      'device_online',
      'device_offline',
      'device_online',
    ]);
    expect(gateway.devices().find((d) => d.id === 'hall-fire-panel')?.online).toBe(true);
    // Keep-alives themselves never leave the gateway.
    expect(upstream.messages.some((m) => m.topic.includes('heartbeat'))).toBe(false);
  });

  it('reports a device that never said anything since the gateway started', async () => {
    await upstream.waitFor('silent door reported', () =>
      eventsOf('hall-door').some((e) => e.type === 'device_offline'),
    );
    expect(eventsOf('hall-door').map((e) => e.type)).toEqual(['device_offline']);
    expect(gateway.devices().find((d) => d.id === 'hall-door')?.online).toBe(false);
  });
});
