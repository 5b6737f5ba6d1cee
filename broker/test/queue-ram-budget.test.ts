import { describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { waitFor } from '../../stack/index.js';
import type { BrokerService } from '../broker-service.js';
import { connectClient, connectCollecting, SESSION_ACCOUNTS, sessionBrokerFixture } from './harness.js';

const INGEST = { ...SESSION_ACCOUNTS.ingest, clientId: 'ingest-away' };
const GATEWAY = SESSION_ACCOUNTS.gateway;
const TOPIC = topics.batch('s', 'gw-a');
const MESSAGES = 600;
/** 600 messages of 8 KiB: almost 5 MiB queued against a 1 MiB budget. */
const payload = (i: number) => `${i}:`.padEnd(8 * 1024, String.fromCharCode(97 + (i % 26)));

/**
 * The default session store (`journal`) keeps queued payloads in RAM only up to
 * BROKER_QUEUE_RAM_MB: a consumer away for long costs the queue's bookkeeping, and what
 * is queued beyond the budget comes back from disk, byte for byte, in order.
 */
describe('queued payloads beyond the RAM budget', () => {
  const fixture = sessionBrokerFixture();
  const startBroker = () => fixture.start({ queueRamMb: 1 });

  const metric = async (service: BrokerService, name: string) => {
    const text = await (await fetch(`${service.httpUrl}/metrics`)).text();
    return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
  };

  it('keeps RAM within the budget while the consumer is away and delivers everything, before and after a restart', async () => {
    let service = await startBroker();
    const away = await connectClient(service.mqttUrl, INGEST);
    await away.subscribeAsync(topicFilters.siteStreams('s'), { qos: 1 });
    await away.endAsync();

    let gateway = await connectClient(service.mqttUrl, GATEWAY);
    for (let i = 0; i < MESSAGES / 2; i++) await gateway.publishAsync(TOPIC, payload(i), { qos: 1 });
    await gateway.endAsync();
    expect(await metric(service, 'broker_queue_payload_ram_bytes')).toBeLessThanOrEqual(1024 * 1024);
    expect(await metric(service, 'broker_queue_payloads_on_disk')).toBeGreaterThan(MESSAGES / 4);
    await service.stop();

    service = await startBroker();
    gateway = await connectClient(service.mqttUrl, GATEWAY);
    for (let i = MESSAGES / 2; i < MESSAGES; i++) await gateway.publishAsync(TOPIC, payload(i), { qos: 1 });
    expect(await metric(service, 'broker_queue_payload_ram_bytes')).toBeLessThanOrEqual(1024 * 1024);
    expect(await metric(service, 'broker_queue_payloads_on_disk')).toBeGreaterThan(MESSAGES / 2);

    const { messages: received } = await connectCollecting(service.mqttUrl, INGEST);
    await waitFor('every queued message', () => received.length >= MESSAGES, { timeoutMs: 20_000 });
    expect(received.map((m) => m.payload)).toEqual(Array.from({ length: MESSAGES }, (_, i) => payload(i)));
    // Acknowledged (mqtt.js acks on receipt): nothing is left queued.
    await waitFor(
      'the queue acknowledged',
      async () =>
        (await metric(service, 'broker_queue_payloads_on_disk')) === 0 &&
        (await metric(service, 'broker_queue_payload_ram_bytes')) === 0,
    );
  });
});
