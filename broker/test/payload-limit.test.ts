import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import {
  closeAllClients,
  closed,
  collect,
  connectClient,
  openClient,
  startTestBroker,
  type TestBroker,
} from './harness.js';

const LIMIT = 4096;

describe('payload size limit', () => {
  let broker: TestBroker;
  let admin: MqttClient;
  let seen: Array<{ topic: string; payload: string }>;
  const gateway = (clientId: string) =>
    connectClient(broker.service.mqttUrl, { username: 'gw-a', password: 'gateway-a-password', clientId });

  beforeAll(async () => {
    broker = await startTestBroker(
      [
        { username: 'admin', role: 'admin', sites: ['*'], password: 'admin-password-1' },
        { username: 'gw-a', role: 'gateway', sites: ['s'], gateway: 'gw-a', password: 'gateway-a-password' },
      ],
      { maxPayloadBytes: LIMIT },
    );
    admin = await openClient(broker.service.mqttUrl, { username: 'admin', password: 'admin-password-1' });
    seen = collect(admin);
    await admin.subscribeAsync('v1/#', { qos: 1 });
  });

  afterAll(async () => {
    await admin?.endAsync(true);
    await broker?.close();
  });

  afterEach(closeAllClients);

  it('delivers a payload of exactly the limit', async () => {
    const gw = await gateway('gw-a-exact');
    const topic = topics.telemetry('s', 'gw-a', 'exact');
    await gw.publishAsync(topic, Buffer.alloc(LIMIT, 'a'), { qos: 1 });
    await waitFor('exact payload', () => seen.find((m) => m.topic === topic), { timeoutMs: 5_000 });
    expect(seen.find((m) => m.topic === topic)?.payload.length).toBe(LIMIT);
  });

  it.each([
    ['just over the limit (refused by authorizePublish)', LIMIT + 1, 'over'],
    ['far over the limit (cut off while arriving)', 500_000, 'huge'],
  ])('drops a payload %s and keeps serving others', async (_what, size, device) => {
    const gw = await gateway(`gw-a-${device}`);
    const topic = topics.telemetry('s', 'gw-a', device);
    const gone = closed(gw);
    gw.publish(topic, Buffer.alloc(size, 'x'), { qos: 0 });
    await gone;

    const next = await gateway(`gw-a-${device}-next`);
    const after = topics.telemetry('s', 'gw-a', `${device}-after`);
    await next.publishAsync(after, 'small', { qos: 1 });
    await waitFor('message after the oversized one', () => seen.find((m) => m.topic === after), {
      timeoutMs: 5_000,
    });
    expect(seen.filter((m) => m.topic === topic)).toEqual([]);
  });

  it('counts the rejections by stage', async () => {
    const metrics = await (await fetch(`${broker.service.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^broker_payload_rejections_total\{[^}]*stage="publish"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^broker_payload_rejections_total\{[^}]*stage="frame"[^}]*\} 1$/m);
  });
});
