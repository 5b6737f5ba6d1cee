import type { PublishPacket } from 'aedes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertingCatchUpSite, topics } from '../../contracts/index.js';
import { createLogger, freePort, waitFor } from '../../runtime/index.js';
import { TcpProxy } from '../../test/support/index.js';
import type { DecodeResult } from '../service/decode-message.js';
import { MqttInput } from '../service/mqtt-input.js';
import { startBareBroker } from './support/broker.js';
import { CanonicalPublisher, GATEWAY, SITE } from './support/canonical-publisher.js';

const CLIENT_ID = 'alerting-read-ahead-test';

/** What a decoded message says, for comparing orders: `device:event` or `batch:device:event,…`. */
function describeInput(result: DecodeResult): string {
  if (!result.ok) return `invalid:${result.reason}`;
  const { input } = result;
  switch (input.kind) {
    case 'event':
      return `${input.device}:${input.message.type}`;
    case 'batch':
      return `batch:${input.message.events.map((e) => `${e.device}:${e.type}`).join(',')}`;
    default:
      return input.kind;
  }
}

interface Taken {
  what: string;
  /** Lets the message's acknowledgement go, as the journal's sync does. */
  sync: () => void;
}

/**
 * Alerting acknowledges an event once what it changed is synced; the events after it
 * must not wait for that sync to be judged (a fire alarm behind another panel's reset),
 * and none may be acknowledged before its own sync, nor ahead of one before it.
 */
describe('alerting input: events are judged as they arrive, acknowledged in order once synced', () => {
  const logger = createLogger('alerting-test', { level: 'silent' });
  const publisher = new CanonicalPublisher();
  let broker: Awaited<ReturnType<typeof startBareBroker>>;
  let input: MqttInput | undefined;
  let taken: Taken[] = [];
  /** Messages alerting acknowledged, as the broker saw the PUBACKs. */
  let acked: string[] = [];

  const startInput = async (hold: boolean, url = broker.url) => {
    taken = [];
    const next = new MqttInput({
      url,
      clientId: CLIENT_ID,
      sites: [SITE],
      logger,
      onResult: (result) => {
        let sync = () => undefined as void;
        const written = new Promise<void>((resolve) => (sync = resolve));
        taken.push({ what: describeInput(result), sync });
        if (!hold) sync();
        return written;
      },
    });
    input = next;
    next.start();
    await waitFor('subscribed', () => next.ready);
    return next;
  };
  const publishThree = async () => {
    await publisher.event('canteen-fire-panel', 'fire_alarm');
    // The panel's reset rides the gateway's batch, as info events do.
    await publisher.raw(
      topics.batch(SITE, GATEWAY),
      JSON.stringify({
        ts: Date.now(),
        events: [{ device: 'canteen-fire-panel', ts: Date.now(), seq: 900, type: 'fire_reset', data: {} }],
      }),
    );
    await publisher.event('clinic-fire-panel', 'fire_alarm');
  };
  const three = [
    'canteen-fire-panel:fire_alarm',
    'batch:canteen-fire-panel:fire_reset',
    'clinic-fire-panel:fire_alarm',
  ];

  beforeAll(async () => {
    broker = await startBareBroker();
    broker.aedes.on('ack', (packet) => {
      // (alerting's catch-up marker at each start is acknowledged too: not an event)
      if (packet && 'topic' in packet && alertingCatchUpSite(packet.topic) === undefined)
        acked.push((packet as PublishPacket).topic);
    });
    await publisher.start(broker.url);
  });

  afterEach(async () => {
    await input?.stop({ force: true });
    input = undefined;
  });

  afterAll(async () => {
    await publisher.stop();
    await broker?.stop();
  });

  it('judges the next events while the first one waits for its sync, and acknowledges none ahead of it', async () => {
    await startInput(true);
    acked = [];
    await publishThree();
    // All three judged, in the order published, although the first one's sync has not completed.
    await waitFor('three events judged', () => taken.length === 3);
    expect(taken.map((t) => t.what)).toEqual(three);

    // The later two synced first: the broker still has no PUBACK for any of them.
    taken[1]!.sync();
    taken[2]!.sync();
    await publisher.event('shop-camera', 'camera_offline');
    await waitFor('a fourth event judged', () => taken.length === 4);
    expect(acked).toEqual([]);

    // A crash now: the broker sends all of them again, in order, to the next run.
    await input?.stop({ force: true });
    await startInput(false);
    await waitFor('four redelivered', () => taken.length === 4);
    expect(taken.map((t) => t.what)).toEqual([...three, 'shop-camera:camera_offline']);
    await waitFor('four acknowledged', () => acked.length === 4);
    expect(acked).toEqual([
      topics.event(SITE, GATEWAY, 'canteen-fire-panel'),
      topics.batch(SITE, GATEWAY),
      topics.event(SITE, GATEWAY, 'clinic-fire-panel'),
      topics.event(SITE, GATEWAY, 'shop-camera'),
    ]);
  });

  it('acknowledges each event once its own sync and every one before it are done', async () => {
    await startInput(true);
    acked = [];
    await publishThree();
    await waitFor('three events judged', () => taken.length === 3);
    taken[0]!.sync();
    await waitFor('the first acknowledged', () => acked.length === 1);
    taken[2]!.sync();
    taken[1]!.sync();
    await waitFor('all three acknowledged', () => acked.length === 3);
    expect(acked).toEqual([
      topics.event(SITE, GATEWAY, 'canteen-fire-panel'),
      topics.batch(SITE, GATEWAY),
      topics.event(SITE, GATEWAY, 'clinic-fire-panel'),
    ]);

    // Nothing is sent again to the next run: the first message it gets is a new one.
    await input?.stop({ force: true });
    await startInput(false);
    await publisher.event('shop-camera', 'camera_online');
    await waitFor('the new event', () => taken.length > 0);
    expect(taken.map((t) => t.what)).toEqual(['shop-camera:camera_online']);
  });

  it('never acknowledges a message of a closed connection on the next one', async () => {
    // Between alerting and the broker, so the events connection can drop while alerting runs.
    const link = new TcpProxy(await freePort(), Number(new URL(broker.url).port));
    await link.start();
    try {
      const running = await startInput(true, `mqtt://127.0.0.1:${link.listenPort}`);
      acked = [];
      await publisher.event('canteen-fire-panel', 'fire_alarm');
      await waitFor('the alarm judged', () => taken.length === 1);

      // The connection drops while the alarm's sync runs; the broker sends it again on the next
      // one, under the same packet id (aedes keeps the id a queued message went out with).
      link.cut();
      await waitFor('the input disconnected', () => !running.ready);
      link.restore();
      await waitFor('the alarm sent again', () => taken.length === 2, { timeoutMs: 15_000 });
      expect(taken.map((t) => t.what)).toEqual([
        'canteen-fire-panel:fire_alarm',
        'canteen-fire-panel:fire_alarm',
      ]);

      // The first run's sync completes: its PUBACK would acknowledge the copy not yet synced.
      taken[0]!.sync();
      await publisher.event('shop-camera', 'camera_offline');
      await waitFor('an event behind it judged', () => taken.length === 3);
      expect(acked).toEqual([]);

      taken[1]!.sync();
      taken[2]!.sync();
      await waitFor('both acknowledged', () => acked.length === 2);
      expect(acked).toEqual([
        topics.event(SITE, GATEWAY, 'canteen-fire-panel'),
        topics.event(SITE, GATEWAY, 'shop-camera'),
      ]);
    } finally {
      await input?.stop({ force: true });
      input = undefined;
      await link.stop();
    }
  });
});
