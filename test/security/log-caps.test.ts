import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, waitFor } from '../../runtime/index.js';
import { closed, subscribeGranted } from './support/mqtt-helpers.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { rawConnect } from './support/raw-connect.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

/**
 * Issue 20, item 5: what a client sends must not decide how much the broker logs.
 * MQTT lets a username, a client id and a topic run to 64 KiB each; every refused
 * CONNECT used to copy them into its log line, hundreds of KB per try.
 */
const HUGE = 60_000;
const GATEWAY = { username: 'gw-a', password: 'gw-a-password-logs' };

describe('what refused clients cost the log', () => {
  let broker: TestBroker;
  const lines: string[] = [];
  const bytes = () => lines.reduce((sum, line) => sum + line.length, 0);

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        callback();
      },
    });
    broker = await startTestBroker(
      [{ ...GATEWAY, role: 'gateway', sites: ['s1'], gateway: 'gw-a' }],
      {},
      createLogger('log-caps', { level: 'debug', destination }),
    );
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('keeps each line short whatever the username, client id or topic', async () => {
    const port = broker.service.mqttPort;
    const before = bytes();
    for (let i = 0; i < 10; i++) {
      const localAddress = `127.0.4.${i + 1}`;
      expect(await rawConnect({ port, localAddress, username: 'u'.repeat(HUGE), password: 'x' })).toEqual({
        connack: 4,
      });
      expect(await rawConnect({ port, localAddress, ...GATEWAY, clientId: 'c'.repeat(HUGE) })).toEqual({
        connack: 2,
      });
    }
    const outcome = await tryConnect(broker.service.mqttUrl, { ...GATEWAY, clientId: 'gw-a-logs' });
    if (outcome.kind !== 'connected') throw new Error('the gateway could not connect');
    expect(await subscribeGranted(outcome.client, [`v1/s1/${'t'.repeat(HUGE)}/#`])).toEqual({
      [`v1/s1/${'t'.repeat(HUGE)}/#`]: 128,
    });
    const dropped = closed(outcome.client);
    outcome.client.publish(`v1/s1/gw-b/${'t'.repeat(HUGE)}/telemetry`, '{}', { qos: 1 });
    await dropped;
    outcome.client.end(true);
    await waitFor('the publish refusal in the log', () => lines.some((l) => l.includes('publish denied')), {
      timeoutMs: 5_000,
    });

    const written = lines.slice(0).filter((line) => line.length > 0);
    expect(Math.max(...written.map((line) => line.length))).toBeLessThan(4_096);
    // 22 refusals of 60 KB each were 1.3 MB of log before.
    expect(bytes() - before).toBeLessThan(64 * 1024);
  });

  it('writes at most so many refusal lines a second, and says how many it left out', async () => {
    const port = broker.service.mqttPort;
    const refusals = () => lines.filter((l) => l.includes('"connection refused"')).length;
    const before = refusals();
    const flood = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        rawConnect({
          port,
          localAddress: `127.0.5.${(i % 250) + 1}`,
          username: `nobody-${i}`,
          password: 'x',
        }),
      ),
    );
    expect(flood.filter((r) => 'connack' in r && r.connack === 4).length).toBeGreaterThan(300);
    expect(refusals() - before).toBeLessThan(400);
    let n = 0;
    await waitFor(
      'a refusal line that counts the ones left out',
      async () => {
        await rawConnect({
          port,
          localAddress: `127.0.6.${(n++ % 250) + 1}`,
          username: 'nobody',
          password: 'x',
        });
        return lines.some((l) => l.includes('"connection refused"') && l.includes('"suppressed"'));
      },
      { timeoutMs: 20_000 },
    );
  });
});
