import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCredential, brokerConfigSchema, BrokerService } from '../../broker/index.js';
import { createLogger, waitFor } from '../../runtime/index.js';
import { fuzzOptions } from './support/fuzz-options.js';
import { connectPacket, publishPacket, RawConnection, remainingLength } from './support/mqtt-bytes.js';
import { metricSum } from './support/prometheus.js';

const USER = { username: 'fuzz-admin', password: 'fuzz-admin-password' };
const CONNECT_TIMEOUT_MS = 1000;

const dir = mkdtempSync(join(tmpdir(), 'fuzz-broker-'));
let broker: BrokerService;
/** The well-behaved client that must be served throughout. */
let steady: MqttClient;
const seen: string[] = [];

beforeAll(async () => {
  const credentialsFile = join(dir, 'credentials.json');
  await addCredential(credentialsFile, { ...USER, role: 'admin', sites: ['*'] });
  broker = new BrokerService(
    brokerConfigSchema.parse({
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      credentialsFile,
      persistence: { dir: join(dir, 'sessions') },
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    }),
    { logger: createLogger('fuzz-broker', { level: process.env.LOG_LEVEL ?? 'silent' }) },
  );
  await broker.start();
  steady = await mqtt.connectAsync(broker.mqttUrl, { ...USER, clientId: 'steady', reconnectPeriod: 0 });
  steady.on('message', (_topic, payload) => seen.push(payload.toString()));
  await steady.subscribeAsync('v1/fuzz/gw/dev/telemetry', { qos: 1 });
});

afterAll(async () => {
  await steady?.endAsync(true);
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let round = 0;
/** A publish/subscribe round trip on the steady client's connection. */
async function roundTrip(): Promise<void> {
  const marker = `round-${++round}`;
  await steady.publishAsync('v1/fuzz/gw/dev/telemetry', marker, { qos: 1 });
  await waitFor(`message ${marker}`, () => seen.includes(marker), { timeoutMs: 5000 });
}

const openSockets = async () =>
  metricSum(await (await fetch(`${broker.httpUrl}/metrics`)).text(), 'broker_sockets_open');

const validConnect = connectPacket({ clientId: 'abuser', ...USER });

describe('broker under malformed and abusive MQTT clients', () => {
  it('drops a connection that sends random bytes after a valid CONNECT, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 256 }), async (garbage) => {
        const raw = await RawConnection.open(broker.mqttPort);
        raw.send(validConnect);
        raw.send(Buffer.from(garbage));
        // Garbage may happen to be a valid packet (PINGREQ…) and be answered; close from our side then.
        await Promise.race([raw.closed, sleep(200)]);
        raw.destroy();
        await raw.closed;
      }),
      fuzzOptions(40),
    );
    await roundTrip();
  });

  it('refuses malformed CONNECTs and packets before CONNECT with a CONNACK code or by closing', async () => {
    const cases: Array<{ name: string; bytes: Buffer; connack?: number }> = [
      { name: 'remaining length over 4 bytes', bytes: Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f]) },
      {
        name: 'remaining length of 256 MiB',
        bytes: Buffer.concat([Buffer.from([0x10]), remainingLength(268_435_455)]),
      },
      { name: 'PUBLISH before CONNECT', bytes: publishPacket('v1/fuzz/gw/dev/telemetry', Buffer.from('x')) },
      {
        name: 'protocol level 9',
        bytes: connectPacket({ clientId: 'p9', ...USER, protocolLevel: 9 }),
      },
      {
        name: 'client id of 64 KiB',
        bytes: connectPacket({ clientId: 'c'.repeat(65_535), ...USER }),
        connack: 2,
      },
      { name: 'CONNECT twice', bytes: Buffer.concat([validConnect, validConnect]) },
    ];
    for (const { name, bytes, connack } of cases) {
      const raw = await RawConnection.open(broker.mqttPort);
      raw.send(bytes);
      await Promise.race([raw.closed, sleep(5000)]);
      expect({ name, closed: raw.isClosed }).toEqual({ name, closed: true });
      if (connack !== undefined) expect({ name, connack: raw.connackCode() }).toEqual({ name, connack });
      raw.destroy();
    }
    await roundTrip();
  });

  it('drops a client trickling its CONNECT one byte per 200 ms after the connect timeout', async () => {
    const raw = await RawConnection.open(broker.mqttPort);
    let sent = 0;
    while (!raw.isClosed && sent < validConnect.length) {
      raw.send(validConnect.subarray(sent, sent + 1));
      sent++;
      await Promise.race([raw.closed, sleep(200)]);
    }
    expect(raw.isClosed).toBe(true);
    expect(sent).toBeLessThan(validConnect.length);
    await roundTrip();
  });

  it('drops half-open clients that never send anything, and leaks no socket', async () => {
    const baseline = await openSockets();
    const idle = await Promise.all(Array.from({ length: 20 }, () => RawConnection.open(broker.mqttPort)));
    await waitFor('the broker to see the idle sockets', async () => (await openSockets()) >= baseline + 20, {
      timeoutMs: 5000,
    });
    await roundTrip();
    await Promise.all(idle.map((raw) => Promise.race([raw.closed, sleep(10_000)])));
    expect(idle.filter((raw) => !raw.isClosed)).toHaveLength(0);
    await waitFor('open sockets back to the steady client alone', async () => (await openSockets()) === 1, {
      timeoutMs: 5000,
    });
    await roundTrip();
  });
});
