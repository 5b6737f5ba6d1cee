import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { collect, subscribeGranted } from './support/mqtt-helpers.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

/**
 * Issue 20, low list: a dead letter carries the refused message whole, whichever site it
 * came from, and any alerting credential could read them all (`ops/#`), one village's
 * alerting the others' payloads. Only a credential for every site reads them now.
 */
const USERS = [
  { username: 'alerting-s1', role: 'alerting' as const, sites: ['s1'], password: 'alerting-s1-password-dl' },
  { username: 'alerting-all', role: 'alerting' as const, sites: ['*'], password: 'alerting-all-password-dl' },
  { username: 'ingest', role: 'ingest' as const, sites: ['*'], password: 'ingest-password-dl' },
];
const passwordOf = (username: string) => USERS.find((u) => u.username === username)?.password ?? '';

describe('who reads the dead letters', () => {
  let broker: TestBroker;
  const clients: MqttClient[] = [];
  const connect = async (username: string) => {
    const outcome = await tryConnect(broker.service.mqttUrl, {
      username,
      password: passwordOf(username),
      clientId: `${username}-dl`,
    });
    if (outcome.kind !== 'connected') throw new Error(`${username} could not connect`);
    clients.push(outcome.client);
    return outcome.client;
  };

  beforeAll(async () => {
    broker = await startTestBroker(USERS);
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await broker?.close();
  });

  it('a site-scoped alerting credential may not; an all-sites one may', async () => {
    const scoped = await connect('alerting-s1');
    const all = await connect('alerting-all');
    expect(await subscribeGranted(scoped, ['ops/#', topics.deadLetter('ingest')])).toEqual({
      'ops/#': 128,
      [topics.deadLetter('ingest')]: 128,
    });
    expect(await subscribeGranted(all, ['ops/#'])).toEqual({ 'ops/#': 1 });
    const seenByScoped = collect(scoped);
    const seenByAll = collect(all);
    const ingest = await connect('ingest');
    const letter = JSON.stringify({
      code: 'PAYLOAD_INVALID',
      topic: 'v1/s2/gw/d/telemetry',
      payload: 'village 2',
    });
    await ingest.publishAsync(topics.deadLetter('ingest'), letter, { qos: 1 });
    await waitFor(
      'the dead letter at the all-sites credential',
      () => seenByAll.some((m) => m.payload === letter),
      {
        timeoutMs: 5_000,
      },
    );
    expect(seenByScoped).toEqual([]);
  });
});
