import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, freePort, waitFor } from '../../runtime/index.js';
import { HttpReceiver, startTestBroker, type TestBroker } from '../../test/support/index.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema, type AlertingConfig } from '../service/config.js';
import { CanonicalPublisher, GATEWAY, SITE } from './support/canonical-publisher.js';
import { RETRYING_SOON } from './support/retrying-soon.js';

const ALERTING = { username: 'alerting', password: 'alerting-password-catch-up' };
const GATEWAY_LOGIN = { username: GATEWAY, password: 'gateway-password-catch-up' };
const DOWN = { status: 503, body: 'relay restarting' };
const UP = { status: 200, body: { ok: true } };

interface Sent {
  reason: string;
  title: string;
  alert: { ruleId: string; device?: string; state: string };
}

/** A TCP port that takes connections and never answers: a broker hung at start. */
async function silentBroker(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A fire alarm held in the outbox when alerting stops, its panel reset while alerting is
 * down, the relay back up by the restart: the alarm must not go out as happening now before
 * alerting has read the reset the broker queued for it.
 */
describe('notifications from before a restart wait for the input to catch up', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-catch-up-'));
  const receiver = new HttpReceiver(DOWN);
  const publisher = new CanonicalPublisher();
  const logger = createLogger('alerting-test', { level: 'silent' });
  let broker: TestBroker;
  let config: AlertingConfig;
  let service: AlertingService | undefined;

  const sentSince = (from: number) => receiver.requests.slice(from).map((r) => JSON.parse(r.body) as Sent);
  const ofDevice = (sent: Sent[], device: string) => sent.filter((s) => s.alert.device === device);

  /** Runs alerting until the device's alarm has been tried against the down relay, then stops it. */
  async function holdAnAlarm(device: string): Promise<void> {
    receiver.answer = DOWN;
    const first = new AlertingService(config, { logger });
    service = first;
    await first.start();
    await waitFor('subscribed', () => first.ready);
    await publisher.event(device, 'fire_alarm');
    await waitFor('the alarm tried and held', () =>
      first.outbox
        .list(['pending'])
        .some((d) => d.alert.device === device && d.reason === 'firing' && d.lastError !== undefined),
    );
    await first.stop();
    service = undefined;
  }

  beforeAll(async () => {
    // The project's broker: its ACL lets alerting publish and read back its catch-up marker.
    broker = await startTestBroker([
      { ...ALERTING, role: 'alerting', sites: [SITE] },
      { ...GATEWAY_LOGIN, role: 'gateway', sites: [SITE], gateway: GATEWAY },
    ]);
    await receiver.start();
    config = alertingConfigSchema.parse({
      mqtt: { url: broker.service.mqttUrl, clientId: 'alerting-catch-up-test', ...ALERTING },
      http: { port: 0 },
      dataDir,
      tickMs: 50,
      api: { tokens: ['catch-up-token-0123456789'] },
      webhookUrl: `${receiver.url}/hook`,
      notifications: {
        ...RETRYING_SOON,
        // The longest wait allowed, longer than the test: only the input catching up releases.
        catchUpMaxMs: 120_000,
      },
    });
    await publisher.start(broker.service.mqttUrl, GATEWAY_LOGIN);
  });

  afterAll(async () => {
    await publisher.stop();
    await service?.stop();
    await broker?.close();
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tells a fire alarm reset while alerting was down once, as happened-and-recovered', async () => {
    await holdAnAlarm('canteen-fire-panel');
    // While alerting is down: other events queue up, then the canteen panel is reset.
    for (let i = 0; i < 50; i += 1) await publisher.event('clinic-door', 'door_closed', { door: 1 });
    await publisher.event('canteen-fire-panel', 'fire_reset');
    receiver.answer = UP;

    const from = receiver.requests.length;
    const second = new AlertingService(config, { logger });
    service = second;
    await second.start();
    await waitFor(
      'the reset read and nothing left to send',
      () =>
        second.engine.alerts().some((a) => a.device === 'canteen-fire-panel' && a.state === 'resolved') &&
        second.outbox.list(['pending', 'sending']).length === 0,
    );

    const told = ofDevice(sentSince(from), 'canteen-fire-panel');
    expect(told.map((s) => s.title)).toEqual(['[告警（已恢复）] 火灾报警 · 社区食堂']);
    expect(told[0]?.alert.state).toBe('resolved');
    const recovery = second.outbox
      .list()
      .find((d) => d.alert.device === 'canteen-fire-panel' && d.reason === 'resolved');
    expect(recovery?.toldBy).toMatch(/:firing\/env-webhook-0$/);
    await second.stop();
    service = undefined;
  }, 60_000);

  it('does not hold a fire alarm for long when the broker never answers', async () => {
    await holdAnAlarm('maker-hall-fire-panel');
    receiver.answer = UP;
    const hung = await silentBroker();
    try {
      const from = receiver.requests.length;
      const second = new AlertingService(
        {
          ...config,
          mqtt: { ...config.mqtt, url: hung.url },
          notifications: { ...config.notifications, catchUpMaxMs: 1_000 },
        },
        { logger },
      );
      service = second;
      await second.start();
      // Held at the start, not sent...
      expect(second.outbox.heldForInputCount).toBeGreaterThan(0);
      expect(ofDevice(sentSince(from), 'maker-hall-fire-panel')).toEqual([]);
      // ...then sent as it stands, with no word from the broker.
      await waitFor(
        'the alarm sent without the broker',
        () => ofDevice(sentSince(from), 'maker-hall-fire-panel').length > 0,
      );
      expect(second.ready).toBe(false);
      expect(second.outbox.heldForInputCount).toBe(0);
      const [alarm, ...more] = ofDevice(sentSince(from), 'maker-hall-fire-panel');
      expect(more).toEqual([]);
      expect(alarm?.title).toMatch(/^\[告警\] 火灾报警 · /);
      expect(alarm?.alert.state).toBe('firing');
      await second.stop();
      service = undefined;
    } finally {
      await hung.stop();
    }
  }, 60_000);

  it("with no session kept, waits for the gateways' retained statuses: a gateway back online is told as recovered", async () => {
    receiver.answer = DOWN;
    const first = new AlertingService(config, { logger });
    service = first;
    await first.start();
    await waitFor('subscribed', () => first.ready);
    await publisher.status('offline');
    await waitFor('the gateway alarm tried and held', () =>
      first.outbox
        .list(['pending'])
        .some(
          (d) => d.alert.ruleId === 'gateway-offline' && d.reason === 'firing' && d.lastError !== undefined,
        ),
    );
    await first.stop();
    service = undefined;
    // While alerting is down the gateway comes back: its retained status says so.
    await publisher.status('online');
    receiver.answer = UP;

    // A session the broker no longer keeps (expired after a long outage, or a new client id):
    // nothing was queued for it, and only the retained status tells the gateway is back.
    const from = receiver.requests.length;
    const second = new AlertingService(
      { ...config, mqtt: { ...config.mqtt, clientId: 'alerting-catch-up-test-new-session' } },
      { logger },
    );
    service = second;
    await second.start();
    await waitFor(
      'the status read and nothing left to send',
      () =>
        second.engine.alerts().some((a) => a.ruleId === 'gateway-offline' && a.state === 'resolved') &&
        second.outbox.list(['pending', 'sending']).length === 0,
    );

    const told = sentSince(from).filter((s) => s.alert.ruleId === 'gateway-offline');
    expect(told.map((s) => s.title)).toEqual(['[告警（已恢复）] 网关离线 · 多个片区']);
    expect(told[0]?.alert.state).toBe('resolved');
    await second.stop();
    service = undefined;
  }, 60_000);
});
