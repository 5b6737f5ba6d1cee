import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FILTERS_PER_CLIENT } from '../../broker/index.js';
import { topics } from '../../contracts/index.js';
import { startTestBroker, type TestBroker } from '../support/index.js';
import { subscribeGranted } from './support/mqtt-helpers.js';
import { tryConnect } from './support/mqtt-outcome.js';

/**
 * A gateway may subscribe inside its own prefix, and nothing bounded how many filters:
 * each is kept in the broker's memory and, with a persistent session, in its store. 20,000
 * filters of 1 KB from one gateway credential took `npm start` from 550 MB to 920 MB.
 */
const GATEWAY = {
  username: 'gw-a',
  role: 'gateway' as const,
  sites: ['s1'],
  gateway: 'gw-a',
  password: 'gw-a-password-subs',
};
const PACKETS = 3;
const FILTERS_PER_PACKET = 500;

const filtersOf = (packet: number) =>
  Array.from(
    { length: FILTERS_PER_PACKET },
    (_, i) => `${topics.status('s1', 'gw-a')}/${packet}-${i}-${'x'.repeat(200)}`,
  );

describe('a gateway’s subscriptions per connection', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker([GATEWAY]);
  });
  afterAll(async () => {
    await broker?.close();
  });

  const connect = async () => {
    const outcome = await tryConnect(broker.service.mqttUrl, {
      username: GATEWAY.username,
      password: GATEWAY.password,
      clientId: 'gw-a/hoarder',
      clean: false,
    });
    if (outcome.kind !== 'connected') throw new Error(`gw-a could not connect: ${outcome.kind}`);
    return outcome.client;
  };

  it('are capped, in the session store too, and the client stays connected', async () => {
    const client = await connect();
    let granted = 0;
    for (let packet = 0; packet < PACKETS; packet++) {
      const answers = await subscribeGranted(client, filtersOf(packet));
      granted += Object.values(answers).filter((qos) => qos !== 128).length;
    }
    expect(client.connected).toBe(true);
    expect(granted).toBe(MAX_FILTERS_PER_CLIENT);
    await client.endAsync();

    // The session comes back with what was granted; a new filter finds no room.
    const again = await connect();
    const more = await subscribeGranted(again, [`${topics.status('s1', 'gw-a')}/one-more`]);
    expect(Object.values(more)).toEqual([128]);
    // A filter it holds is granted again.
    const held = await subscribeGranted(again, [filtersOf(0)[0]!]);
    expect(Object.values(held)).toEqual([1]);
    await again.endAsync();
  });
});
