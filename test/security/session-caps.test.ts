import type { IClientOptions, MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerConfigInput } from '../../broker/index.js';
import { waitFor } from '../../runtime/index.js';
import { tryConnect, type ConnectOutcome } from './support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

/**
 * Issue 20, item 8: persistent sessions cost the broker a queue each, kept on its disk
 * while the client is away. One credential could open a thousand and have every
 * message queued a thousand times, and a session nobody came back for collected for
 * ever.
 */
const GATEWAY = { username: 'gw-a', password: 'gw-a-password-caps' };
const ADMIN = { username: 'admin', password: 'admin-password-caps' };
const OWN = 'v1/s1/gw-a/commands';

let broker: TestBroker | undefined;
const open = new Set<MqttClient>();

async function start(limits: NonNullable<BrokerConfigInput['limits']>): Promise<TestBroker> {
  broker = await startTestBroker(
    [
      { ...GATEWAY, role: 'gateway', sites: ['s1'], gateway: 'gw-a' },
      { ...ADMIN, role: 'admin', sites: ['*'] },
    ],
    { limits },
  );
  return broker;
}
async function attempt(options: IClientOptions): Promise<ConnectOutcome> {
  const outcome = await tryConnect((broker as TestBroker).service.mqttUrl, { ...GATEWAY, ...options });
  if (outcome.kind === 'connected') open.add(outcome.client);
  return outcome;
}
/** A persistent session of gw-a that subscribes to its own topic, then goes away. */
async function persistentSession(clientId: string): Promise<ConnectOutcome['kind']> {
  const outcome = await attempt({ clientId, clean: false });
  if (outcome.kind !== 'connected') return outcome.kind;
  await outcome.client.subscribeAsync(OWN, { qos: 1 });
  await outcome.client.endAsync();
  open.delete(outcome.client);
  return 'connected';
}
/** A gauge of the broker's /metrics. */
async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`${(broker as TestBroker).service.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}
afterEach(async () => {
  for (const client of open) client.end(true);
  open.clear();
  await broker?.close();
  broker = undefined;
});

describe('persistent sessions per credential', () => {
  it('keeps at most the cap of sessions that collect messages, however many a credential opens', async () => {
    await start({ persistentSessionsPerUser: 3 });
    const outcomes = [];
    for (let i = 0; i < 20; i++) outcomes.push(await persistentSession(`gw-a-session-${i}`));
    expect(outcomes.filter((o) => o === 'connected')).toHaveLength(3);
    expect(outcomes.slice(3)).toEqual(Array(17).fill('refused'));
    // The sessions it has may come back; a clean session costs nothing and is let in.
    expect(await persistentSession('gw-a-session-1')).toBe('connected');
    expect((await attempt({ clientId: 'gw-a-clean', clean: true })).kind).toBe('connected');

    // Three sessions collect what is published for gw-a, not twenty.
    expect(await gauge('broker_persistent_sessions')).toBe(3);
    expect(await gauge('broker_stored_subscriptions')).toBe(3);
  });
});

describe('persistent sessions nobody comes back for', () => {
  it('stop collecting messages once away longer than the expiry', async () => {
    const service = (await start({ sessionExpirySeconds: 1 })).service;
    expect(await persistentSession('gw-a-gone')).toBe('connected');
    await waitFor(
      'the session to expire',
      async () => {
        const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
        return /^broker_sessions_expired_total\{[^}]*\} [1-9]/m.test(text);
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(await gauge('broker_stored_subscriptions')).toBe(0);
    expect(await gauge('broker_persistent_sessions')).toBe(0);
    const back = await attempt({ clientId: 'gw-a-gone', clean: false });
    expect(back.kind).toBe('connected');
  });
});
