import { describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { closed, connectClient, watchedBrokerFixture } from './harness.js';

const LIMIT = 4096;

describe('payload size limit', () => {
  const watched = watchedBrokerFixture(
    [
      { username: 'admin', role: 'admin', sites: ['*'], password: 'admin-password-1' },
      { username: 'gw-a', role: 'gateway', sites: ['s'], gateway: 'gw-a', password: 'gateway-a-password' },
    ],
    { config: { maxPayloadBytes: LIMIT } },
  );
  const gateway = (clientId: string) =>
    connectClient(watched.url, { username: 'gw-a', password: 'gateway-a-password', clientId });

  it('delivers a payload of exactly the limit', async () => {
    const gw = await gateway('gw-a-exact');
    const topic = topics.telemetry('s', 'gw-a', 'exact');
    await gw.publishAsync(topic, Buffer.alloc(LIMIT, 'a'), { qos: 1 });
    await waitFor('exact payload', () => watched.seen.find((m) => m.topic === topic), { timeoutMs: 5_000 });
    expect(watched.seen.find((m) => m.topic === topic)?.payload.length).toBe(LIMIT);
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
    await waitFor('message after the oversized one', () => watched.seen.find((m) => m.topic === after), {
      timeoutMs: 5_000,
    });
    expect(watched.seen.filter((m) => m.topic === topic)).toEqual([]);
  });

  it('counts the rejections by stage', async () => {
    const metrics = await (await fetch(`${watched.broker.service.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^broker_payload_rejections_total\{[^}]*stage="publish"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^broker_payload_rejections_total\{[^}]*stage="frame"[^}]*\} 1$/m);
  });
});
