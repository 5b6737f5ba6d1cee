import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, waitFor } from '../../runtime/index.js';
import { HttpReceiver } from '../../test/support/index.js';
import { formatTime } from '../notify/message-text.js';
import { AlertingService } from '../service/alerting-service.js';
import { alertingConfigSchema, type AlertingConfig } from '../service/config.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher } from './support/canonical-publisher.js';
import { RETRYING_SOON } from './support/retrying-soon.js';

const DOWN = { status: 503, body: 'relay restarting' };
const UP = { status: 200, body: { ok: true } };

interface Sent {
  reason: string;
  title: string;
  text: string;
  alert: { ruleId: string; device?: string; state: string };
}

/**
 * Alarms held in the outbox across a restart of alerting, their webhook down: one that has
 * recovered by the time it can go out is told once, as happened-and-recovered with both
 * times; one still active goes out as the alarm, with the time it happened.
 */
describe('alarms held across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alerting-held-alarm-'));
  const receiver = new HttpReceiver(DOWN);
  const publisher = new CanonicalPublisher();
  const logger = createLogger('alerting-test', { level: 'silent' });
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let config: AlertingConfig;
  let service: AlertingService | undefined;

  const held = (svc: AlertingService, device: string) =>
    svc.outbox.list(['pending']).find((d) => d.alert.device === device && d.reason === 'firing');

  beforeAll(async () => {
    broker = await startBareBroker();
    await receiver.start();
    config = alertingConfigSchema.parse({
      mqtt: { url: broker.url, clientId: 'alerting-held-alarm-test' },
      http: { port: 0 },
      dataDir,
      tickMs: 50,
      api: { tokens: ['held-alarm-token-0123456789'] },
      webhookUrl: `${receiver.url}/hook`,
      notifications: {
        ...RETRYING_SOON,
      },
    });
    await publisher.start(broker.url);
  });

  afterAll(async () => {
    await publisher.stop();
    await service?.stop();
    await broker?.stop();
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tells a recovered alarm once with both times, and a still active one as the alarm', async () => {
    const first = new AlertingService(config, { logger });
    service = first;
    await first.start();
    await waitFor('subscribed', () => first.ready);
    await publisher.event('canteen-fire-panel', 'fire_alarm');
    await publisher.event('clinic-door', 'door_forced', { door: 1 });
    await waitFor('both alarms tried and held', () =>
      ['canteen-fire-panel', 'clinic-door'].every((device) => held(first, device)?.lastError !== undefined),
    );
    await first.stop();

    // While alerting is down: the canteen panel is reset; the maker hall's fires and is reset.
    await publisher.event('canteen-fire-panel', 'fire_reset');
    await publisher.event('maker-hall-fire-panel', 'fire_alarm');
    await publisher.event('maker-hall-fire-panel', 'fire_reset');

    const second = new AlertingService(config, { logger });
    service = second;
    await second.start();
    await waitFor('the resets taken', () =>
      ['canteen-fire-panel', 'maker-hall-fire-panel'].every((device) =>
        second.engine.alerts().some((a) => a.device === device && a.state === 'resolved'),
      ),
    );
    const healedAt = receiver.requests.length;
    const healedAtTime = Date.now();
    receiver.answer = UP;
    await waitFor(
      'every notification delivered',
      () => second.outbox.list(['pending', 'sending']).length === 0,
    );

    const sent = receiver.requests.slice(healedAt).map((r) => JSON.parse(r.body) as Sent);
    const by = (device: string) => sent.filter((s) => s.alert.device === device);
    expect(sent).toHaveLength(3);

    for (const device of ['canteen-fire-panel', 'maker-hall-fire-panel']) {
      const [told, ...more] = by(device);
      expect(more, `${device}: one message`).toEqual([]);
      expect(told?.reason).toBe('firing');
      expect(told?.alert.state).toBe('resolved');
      expect(told?.title).toMatch(/^\[告警（已恢复）\] 火灾报警 · /);
      expect(told?.text).toMatch(/开始时间：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\)/);
      expect(told?.text).toMatch(/恢复时间：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\)/);
    }
    expect(by('canteen-fire-panel')[0]?.title).toBe('[告警（已恢复）] 火灾报警 · 社区食堂');

    // Each recovery is on record as told by its alarm's message, not sent on its own.
    const recoveries = second.outbox.list().filter((d) => d.reason === 'resolved');
    expect(
      recoveries.map((d) => [d.alert.device, d.status, d.toldBy?.replace(/^[^:]*:/, '')]).sort(),
    ).toEqual([
      ['canteen-fire-panel', 'delivered', 'firing/env-webhook-0'],
      ['maker-hall-fire-panel', 'delivered', 'firing/env-webhook-0'],
    ]);

    const [door] = by('clinic-door');
    expect(door?.title).toMatch(/^\[告警\] 门被强行打开 · /);
    expect(door?.alert.state).toBe('firing');
    // Sent after the restart, dated when the door was forced (before it).
    const firedAt = second.engine.alerts().find((a) => a.device === 'clinic-door')?.firedAt ?? 0;
    expect(firedAt).toBeLessThan(healedAtTime);
    expect(door?.text).toContain(`开始时间：${formatTime(firedAt, config.engine.utcOffsetMinutes)}`);
  }, 60_000);
});
