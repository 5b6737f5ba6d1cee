import { describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import {
  closed,
  collect,
  connectClient,
  connectRefusal,
  subscribeGranted,
  watchedBrokerFixture,
} from './harness.js';

const PASSWORD = {
  admin: 'admin-password-1',
  gwA: 'gateway-a-password',
  gwB: 'gateway-b-password',
  ingest: 'ingest-password-1',
};

describe('broker authentication and topic ACL over real MQTT', () => {
  const watched = watchedBrokerFixture(
    [
      { username: 'admin', role: 'admin', sites: ['*'], password: PASSWORD.admin },
      { username: 'gw-a', role: 'gateway', sites: ['s'], gateway: 'gw-a', password: PASSWORD.gwA },
      { username: 'gw-b', role: 'gateway', sites: ['s'], gateway: 'gw-b', password: PASSWORD.gwB },
      { username: 'ingest', role: 'ingest', sites: ['*'], password: PASSWORD.ingest },
    ],
    { filters: ['v1/#', 'ops/#'] },
  );

  const gatewayA = (clientId = 'gw-a') =>
    connectClient(watched.url, { username: 'gw-a', password: PASSWORD.gwA, clientId });

  /** Publishes from gw-b on its own topic and waits until the watching admin has it: every earlier publish has been routed by then. */
  async function flush(): Promise<void> {
    const marker = `marker-${Math.random()}`;
    const gwB = await connectClient(watched.url, {
      username: 'gw-b',
      password: PASSWORD.gwB,
      clientId: `gw-b-${marker}`,
    });
    await gwB.publishAsync(topics.health('s', 'gw-b'), marker, { qos: 1 });
    await waitFor('marker at admin', () => watched.seen.some((m) => m.payload === marker), {
      timeoutMs: 5_000,
    });
    await gwB.endAsync();
  }

  it('reports the real ports when configured with port 0', () => {
    expect(watched.broker.service.mqttPort).toBeGreaterThan(0);
    expect(watched.broker.service.httpPort).toBeGreaterThan(0);
    expect(watched.url).toBe(`mqtt://127.0.0.1:${watched.broker.service.mqttPort}`);
  });

  it('refuses unknown users, wrong passwords and anonymous clients', async () => {
    expect(await connectRefusal(watched.url, { username: 'nobody', password: PASSWORD.gwA })).toBe(4);
    expect(await connectRefusal(watched.url, { username: 'gw-a', password: 'not-the-password' })).toBe(4);
    expect(await connectRefusal(watched.url, {})).toBe(5);
  });

  it('delivers a gateway’s telemetry on its own prefix to a subscriber', async () => {
    const gw = await gatewayA();
    const topic = topics.telemetry('s', 'gw-a', 'dev-1');
    await gw.publishAsync(topic, '{"ts":1,"seq":1,"values":{"voltage_v":230}}', { qos: 1 });
    await waitFor('telemetry at admin', () => watched.seen.find((m) => m.topic === topic), {
      timeoutMs: 5_000,
    });
    expect(watched.seen.find((m) => m.topic === topic)?.payload).toContain('voltage_v');
  });

  it.each([
    ['another gateway of the site', 'v1/s/gw-b/dev-1/telemetry'],
    ['the same gateway id at another site', 'v1/other/gw-a/dev-1/telemetry'],
    ['the site’s alerts', 'v1/s/alerts/x'],
    ['a non-v1 shape under its own prefix', 'v1/s/gw-a/dev-1/telemetry/extra'],
  ])('drops a gateway publish to %s and disconnects it', async (_what, topic) => {
    const gw = await gatewayA(`gw-a-${topic.length}`);
    const gone = closed(gw);
    gw.publish(topic, 'forged', { qos: 0 });
    await gone;
    await flush();
    expect(watched.seen.filter((m) => m.topic === topic)).toEqual([]);
  });

  it('lets a gateway subscribe to its own prefix only', async () => {
    const gw = await gatewayA();
    const granted = await subscribeGranted(gw, [
      topicFilters.gatewayPrefix('s', 'gw-a'),
      topicFilters.gatewayPrefix('s', 'gw-b'),
      'v1/s/+/#',
    ]);
    expect(granted).toEqual({ 'v1/s/gw-a/#': 1, 'v1/s/gw-b/#': 128, 'v1/s/+/#': 128 });
    expect(gw.connected).toBe(true);
  });

  it('refuses a gateway whose will targets another gateway’s topic', async () => {
    const code = await connectRefusal(watched.url, {
      username: 'gw-a',
      password: PASSWORD.gwA,
      clientId: 'gw-a-bad-will',
      will: { topic: topics.status('s', 'gw-b'), payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    expect(code).toBe(5);
  });

  it('publishes a gateway’s own will when its connection dies', async () => {
    const statusTopic = topics.status('s', 'gw-a');
    const gw = await connectClient(watched.url, {
      username: 'gw-a',
      password: PASSWORD.gwA,
      clientId: 'gw-a-will',
      will: { topic: statusTopic, payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: false },
    });
    gw.stream.destroy();
    await waitFor('will at admin', () => watched.seen.find((m) => m.topic === statusTopic), {
      timeoutMs: 5_000,
    });
  });

  it('lets ingest subscribe to all telemetry but publish only its dead letters', async () => {
    const ingest = await connectClient(watched.url, {
      username: 'ingest',
      password: PASSWORD.ingest,
      clientId: 'ingest-1',
    });
    const got = collect(ingest);
    const granted = await subscribeGranted(ingest, [topicFilters.allTelemetry, 'ops/#']);
    expect(granted).toEqual({ [topicFilters.allTelemetry]: 1, 'ops/#': 128 });

    const gw = await gatewayA('gw-a-for-ingest');
    const topic = topics.telemetry('s', 'gw-a', 'dev-2');
    await gw.publishAsync(topic, 'reading', { qos: 1 });
    await waitFor('telemetry at ingest', () => got.find((m) => m.topic === topic), { timeoutMs: 5_000 });

    await ingest.publishAsync(topics.deadLetter('ingest'), 'dead', { qos: 1 });
    await waitFor(
      'dead letter at admin',
      () => watched.seen.find((m) => m.topic === 'ops/deadletter/ingest'),
      {
        timeoutMs: 5_000,
      },
    );

    const forged = topics.telemetry('s', 'gw-a', 'dev-3');
    const gone = closed(ingest);
    ingest.publish(forged, 'forged', { qos: 0 });
    await gone;
    await flush();
    expect(watched.seen.filter((m) => m.topic === forged)).toEqual([]);
  });

  it('answers /healthz, /readyz and /metrics with broker counters', async () => {
    const base = watched.broker.service.httpUrl;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { mqtt: true } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const value = (name: string, label: string) =>
      Number(new RegExp(`^${name}\\{[^}]*${label}[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 'NaN');
    expect(value('broker_auth_failures_total', 'reason="unknown_user"')).toBeGreaterThanOrEqual(1);
    expect(value('broker_auth_failures_total', 'reason="bad_password"')).toBeGreaterThanOrEqual(1);
    expect(value('broker_auth_failures_total', 'reason="no_credentials"')).toBeGreaterThanOrEqual(1);
    expect(value('broker_auth_failures_total', 'reason="will_denied"')).toBeGreaterThanOrEqual(1);
    expect(value('broker_acl_denials_total', 'action="publish"')).toBeGreaterThanOrEqual(4);
    expect(value('broker_acl_denials_total', 'action="subscribe"')).toBeGreaterThanOrEqual(2);
    expect(value('broker_messages_published_total', 'qos="1"')).toBeGreaterThanOrEqual(1);
    expect(value('broker_clients_connected', 'service="broker"')).toBeGreaterThanOrEqual(1);
  });
});
