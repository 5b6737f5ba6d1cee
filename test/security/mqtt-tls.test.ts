import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { waitFor } from '../../runtime/index.js';
import { tryConnect, type ConnectOutcome } from './support/mqtt-outcome.js';
import { startTestBroker, type TestBroker } from '../support/index.js';
import { createTestCa, type TestCa } from './support/test-ca.js';

const PASSWORD = { admin: 'admin-password-tls', gwA: 'gw-a-password-tls', gwB: 'gw-b-password-tls' };
const USERS = [
  { username: 'admin', role: 'admin' as const, sites: ['*'], password: PASSWORD.admin },
  { username: 'gw-a', role: 'gateway' as const, sites: ['s'], gateway: 'gw-a', password: PASSWORD.gwA },
  { username: 'gw-b', role: 'gateway' as const, sites: ['s'], gateway: 'gw-b', password: PASSWORD.gwB },
];

let ca: TestCa;
let rogue: TestCa;

beforeAll(() => {
  ca = createTestCa('village');
  rogue = createTestCa('rogue');
});

afterAll(() => {
  ca?.remove();
  rogue?.remove();
});

/** Publishes on the client's own telemetry topic and waits until `seen` has it. */
async function publishAndSee(
  client: MqttClient,
  topic: string,
  seen: Array<{ topic: string; payload: string }>,
): Promise<void> {
  const payload = `reading-${Math.random()}`;
  await client.publishAsync(topic, payload, { qos: 1 });
  await waitFor(
    'message at the observer',
    () => seen.some((m) => m.topic === topic && m.payload === payload),
    {
      timeoutMs: 5_000,
    },
  );
}

function expectConnected(outcome: ConnectOutcome): MqttClient {
  if (outcome.kind !== 'connected') throw new Error(`expected a connection, got ${JSON.stringify(outcome)}`);
  return outcome.client;
}

describe('MQTT over TLS, server certificate only', () => {
  let broker: TestBroker;
  let observer: MqttClient;
  const seen: Array<{ topic: string; payload: string }> = [];

  beforeAll(async () => {
    const server = ca.server('broker');
    broker = await startTestBroker(USERS, {
      tls: { host: '127.0.0.1', port: 0, certFile: server.certFile, keyFile: server.keyFile },
    });
    observer = expectConnected(
      await tryConnect(broker.service.mqttUrl, { username: 'admin', password: PASSWORD.admin }),
    );
    observer.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await observer.subscribeAsync('v1/#', { qos: 1 });
  });

  afterAll(async () => {
    await observer?.endAsync(true);
    await broker?.close();
  });

  it('listens on both plain TCP and TLS', () => {
    expect(broker.service.mqttPort).toBeGreaterThan(0);
    expect(broker.service.mqttsPort).toBeGreaterThan(0);
    expect(broker.service.mqttsUrl).toBe(`mqtts://127.0.0.1:${broker.service.mqttsPort}`);
  });

  it('lets a gateway that trusts the CA connect over TLS and publish', async () => {
    const gw = expectConnected(
      await tryConnect(broker.service.mqttsUrl, {
        username: 'gw-a',
        password: PASSWORD.gwA,
        ca: ca.ca,
        rejectUnauthorized: true,
      }),
    );
    try {
      await publishAndSee(gw, topics.telemetry('s', 'gw-a', 'meter-1'), seen);
    } finally {
      await gw.endAsync(true);
    }
  });

  it('still checks the password over TLS', async () => {
    const outcome = await tryConnect(broker.service.mqttsUrl, {
      username: 'gw-a',
      password: 'not-the-password',
      ca: ca.ca,
    });
    expect(outcome).toEqual({ kind: 'refused', code: 4 });
  });

  it('does not speak plain MQTT on the TLS port', async () => {
    const plainUrl = `mqtt://127.0.0.1:${broker.service.mqttsPort}`;
    const outcome = await tryConnect(plainUrl, { username: 'gw-a', password: PASSWORD.gwA });
    expect(outcome.kind).not.toBe('connected');
  });

  it('is refused by a client that trusts another CA', async () => {
    const outcome = await tryConnect(broker.service.mqttsUrl, {
      username: 'gw-a',
      password: PASSWORD.gwA,
      ca: rogue.ca,
      rejectUnauthorized: true,
    });
    expect(outcome.kind).toBe('transport_error');
    expect(outcome.kind === 'transport_error' && outcome.message).toMatch(/certificate/i);
  });

  it('asks for no client certificate without a CA: the password alone decides', async () => {
    const gw = expectConnected(
      await tryConnect(broker.service.mqttsUrl, { username: 'gw-b', password: PASSWORD.gwB, ca: ca.ca }),
    );
    await gw.endAsync(true);
  });
});

describe('mutual TLS for gateways (requireClientCert)', () => {
  let broker: TestBroker;
  let observer: MqttClient;
  const seen: Array<{ topic: string; payload: string }> = [];
  const tlsClient = (pair?: { cert: Buffer; key: Buffer }) => ({
    ca: ca.ca,
    rejectUnauthorized: true,
    ...(pair ? { cert: pair.cert, key: pair.key } : {}),
  });

  beforeAll(async () => {
    const server = ca.server('broker');
    broker = await startTestBroker(
      [
        ...USERS,
        { username: 'gw-c', role: 'gateway', sites: ['s'], gateway: 'gw-c', password: 'gw-c-password-tls' },
      ],
      {
        mqtt: { enabled: false },
        tls: {
          host: '127.0.0.1',
          port: 0,
          certFile: server.certFile,
          keyFile: server.keyFile,
          caFile: ca.caFile,
          requireClientCert: true,
        },
      },
    );
    observer = expectConnected(
      await tryConnect(broker.service.mqttsUrl, {
        username: 'admin',
        password: PASSWORD.admin,
        ...tlsClient(ca.client('admin')),
      }),
    );
    observer.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await observer.subscribeAsync('v1/#', { qos: 1 });
  });

  afterAll(async () => {
    await observer?.endAsync(true);
    await broker?.close();
  });

  it('has no plain listener when mqtt.enabled is false', () => {
    expect(broker.service.mqttPort).toBe(0);
    expect(broker.service.mqttsPort).toBeGreaterThan(0);
  });

  it('refuses a gateway without a client certificate, even with the right password', async () => {
    const outcome = await tryConnect(broker.service.mqttsUrl, {
      username: 'gw-a',
      password: PASSWORD.gwA,
      ...tlsClient(),
    });
    expect(outcome.kind).not.toBe('connected');
  });

  it('refuses a client certificate signed by another CA', async () => {
    const outcome = await tryConnect(broker.service.mqttsUrl, {
      username: 'gw-a',
      password: PASSWORD.gwA,
      ...tlsClient(rogue.client('gw-a')),
    });
    expect(outcome.kind).not.toBe('connected');
  });

  it('refuses gw-a’s certificate used with gw-b’s username and password', async () => {
    const outcome = await tryConnect(broker.service.mqttsUrl, {
      username: 'gw-b',
      password: PASSWORD.gwB,
      ...tlsClient(ca.client('gw-a')),
    });
    expect(outcome).toEqual({ kind: 'refused', code: 5 });
  });

  it('refuses the right certificate with a wrong password', async () => {
    const outcome = await tryConnect(broker.service.mqttsUrl, {
      username: 'gw-a',
      password: 'stolen-certificate-only',
      ...tlsClient(ca.client('gw-a')),
    });
    expect(outcome).toEqual({ kind: 'refused', code: 4 });
  });

  it('accepts the right certificate with the right password, and the gateway can publish', async () => {
    const gw = expectConnected(
      await tryConnect(broker.service.mqttsUrl, {
        username: 'gw-a',
        password: PASSWORD.gwA,
        ...tlsClient(ca.client('gw-a')),
      }),
    );
    try {
      await publishAndSee(gw, topics.status('s', 'gw-a'), seen);
    } finally {
      await gw.endAsync(true);
    }
  });

  it('accepts a certificate whose DNS subjectAltName is the username', async () => {
    const gw = expectConnected(
      await tryConnect(broker.service.mqttsUrl, {
        username: 'gw-c',
        password: 'gw-c-password-tls',
        ...tlsClient(ca.client('box-0017', ['gw-c'])),
      }),
    );
    await gw.endAsync(true);
  });

  it('counts the refusals by reason', async () => {
    const metrics = await (await fetch(`${broker.service.httpUrl}/metrics`)).text();
    const count = (reason: string) =>
      Number(
        new RegExp(`^broker_auth_failures_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`, 'm').exec(
          metrics,
        )?.[1] ?? 0,
      );
    expect(count('client_cert_mismatch')).toBeGreaterThanOrEqual(1);
    expect(count('bad_password')).toBeGreaterThanOrEqual(1);
    expect(count('tls_handshake') + count('client_cert_missing')).toBeGreaterThanOrEqual(1);
  });
});

describe('optional client certificates (caFile without requireClientCert)', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    const server = ca.server('broker');
    broker = await startTestBroker(USERS, {
      tls: {
        host: '127.0.0.1',
        port: 0,
        certFile: server.certFile,
        keyFile: server.keyFile,
        caFile: ca.caFile,
      },
    });
  });

  afterAll(async () => {
    await broker?.close();
  });

  it('lets a gateway in with its password alone', async () => {
    const gw = expectConnected(
      await tryConnect(broker.service.mqttsUrl, { username: 'gw-a', password: PASSWORD.gwA, ca: ca.ca }),
    );
    await gw.endAsync(true);
  });

  it('still refuses a presented certificate that names another gateway', async () => {
    const pair = ca.client('gw-a');
    const outcome = await tryConnect(broker.service.mqttsUrl, {
      username: 'gw-b',
      password: PASSWORD.gwB,
      ca: ca.ca,
      cert: pair.cert,
      key: pair.key,
    });
    expect(outcome).toEqual({ kind: 'refused', code: 5 });
  });

  it('refuses a presented certificate from another CA', async () => {
    const pair = rogue.client('gw-a');
    const outcome = await tryConnect(broker.service.mqttsUrl, {
      username: 'gw-a',
      password: PASSWORD.gwA,
      ca: ca.ca,
      cert: pair.cert,
      key: pair.key,
    });
    expect(outcome).toEqual({ kind: 'refused', code: 5 });
  });
});
