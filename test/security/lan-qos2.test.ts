import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLanCredential, edgeConfigSchema, Gateway } from '../../edge/index.js';
import { quietLogger, startTestBroker, type TestBroker } from '../support/index.js';
import { hoardQos2 } from './support/qos2-hoard.js';

/**
 * aedes keeps a QoS 2 message until its PUBREL, in memory on the gateway's LAN broker, and
 * for a persistent session across reconnects; it bounds only what one connection holds
 * (1,000). A camera's credential reconnecting six times with 900 QoS 2 messages of 30 KB,
 * never sending PUBREL, left 264 MB in the gateway's memory (a Pi-class board has 1 GB).
 * Nobody subscribes on the LAN, so every LAN session is clean now, and one connection may
 * leave 16 messages waiting (CONNACK says no session was kept).
 */
const CONNECTIONS = 6;
const PUBLISHES = 900;
const PAYLOAD_BYTES = 30_000;
const CAMERA = { id: 'gate-camera', profile: 'frigate-camera', vendorId: 'gate_cam' };

describe('QoS 2 on the gateway’s LAN broker', () => {
  let dir: string;
  let upstream: TestBroker;
  let gateway: Gateway;
  let password: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'security-lan-qos2-'));
    upstream = await startTestBroker([
      {
        username: 'gw-lan',
        role: 'gateway',
        sites: ['lan-village'],
        gateway: 'gw-lan',
        password: 'gw-lan-qos2-password',
      },
    ]);
    const credentialsFile = join(dir, 'lan-credentials.json');
    password = (await addLanCredential(credentialsFile, { username: CAMERA.id, devices: [CAMERA.id] }))
      .password;
    gateway = new Gateway({
      config: edgeConfigSchema().parse({
        site: 'lan-village',
        gateway: 'gw-lan',
        upstream: {
          url: upstream.service.mqttUrl,
          username: 'gw-lan',
          password: 'gw-lan-qos2-password',
          reconnectMs: 200,
        },
        lan: { enabled: true, host: '127.0.0.1', port: 0, credentialsFile },
        http: { host: '127.0.0.1', port: 0 },
        dataDir: join(dir, 'edge'),
        healthIntervalS: 3600,
        publish: { mode: 'per-device' },
        mqttDevices: [CAMERA],
      }),
      logger: quietLogger(),
    });
    await gateway.start();
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps no message waiting for a PUBREL past its connection, and few within one', async () => {
    const rounds = [];
    for (let i = 0; i < CONNECTIONS; i++)
      rounds.push(
        await hoardQos2({
          port: gateway.lanPort,
          clientId: 'hoard',
          username: CAMERA.id,
          password,
          topic: `frigate/${CAMERA.vendorId}/camera_fps`,
          count: PUBLISHES,
          firstId: 1 + i * PUBLISHES,
          payloadBytes: PAYLOAD_BYTES,
        }),
      );

    // Before: 900 PUBRECs each time, and the session (with every message) found again at each CONNECT.
    expect(rounds.every((round) => round.pubrecs <= 16)).toBe(true);
    expect(rounds.map((round) => round.sessionPresent)).toEqual(rounds.map(() => false));
  });
});
