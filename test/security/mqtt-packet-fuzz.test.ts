import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { stringify as toYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCredential, BROKER_PROCESS_ENV } from '../../broker/index.js';
import { addLanCredential, EDGE_PROCESS_ENV } from '../../edge/index.js';
import { ServiceProcess } from '../../stack/index.js';
import { fuzzOptions } from '../fuzz/support/fuzz-options.js';
import { remainingLength } from '../fuzz/support/mqtt-bytes.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { freePort } from '../../runtime/index.js';

/**
 * Issue 20, proof: MQTT packets a hostile client could send, against both brokers as
 * real processes (the central broker and a gateway's LAN broker): garbage, mangled and
 * MQTT 5 CONNECTs with random properties, topic names holding U+0000, remaining lengths
 * that lie, frames far over the limit. Neither may crash, both must still serve a
 * proper client afterwards, and their memory may not grow beyond a bound.
 */
const ADMIN = { username: 'fuzz-admin', password: 'fuzz-admin-password-1' };
const PANEL = 'hall-fire-panel';
/** How long one hostile connection may stay open before the fuzzer hangs up itself. */
const LINGER_MS = 150;
/** The memory a gateway box gives the process (issue 20: "a gateway with a 256 MB memory limit"); the broker too. */
const RSS_LIMIT_BYTES = 256 * 1024 * 1024;
/** What a hostile client tries to push behind one oversized frame header. */
const OVERSIZED_BYTES = 300 * 1024 * 1024;

type Target = {
  name: string;
  port: () => number;
  pid: () => number;
  user: { username: string; password: string };
};

const rssBytes = (pid: number) => {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
};

const generate = (packet: Record<string, unknown>) =>
  mqttPacket.generate(packet as unknown as mqttPacket.Packet);
const connectPacket = (user: { username: string; password: string }, clientId: string) =>
  generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    clientId,
    username: user.username,
    password: Buffer.from(user.password),
  });

/** What a hostile client sends, as bytes, given a valid CONNECT of the target's user. */
function hostileBytes(validConnect: Buffer): fc.Arbitrary<Buffer> {
  const garbage = fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => Buffer.from(bytes));
  const mangledConnect = fc
    .record({
      cut: fc.nat({ max: validConnect.length }),
      flips: fc.array(fc.tuple(fc.nat({ max: validConnect.length - 1 }), fc.integer({ min: 0, max: 255 })), {
        maxLength: 6,
      }),
    })
    .map(({ cut, flips }) => {
      const bytes = Buffer.from(validConnect.subarray(0, Math.max(1, cut)));
      for (const [index, value] of flips) if (index < bytes.length) bytes[index] = value;
      return bytes;
    });
  // MQTT 5 CONNECT: a property section of declared length `declared` holding random bytes.
  const v5Connect = fc
    .record({ declared: fc.nat({ max: 300 }), properties: fc.uint8Array({ maxLength: 64 }) })
    .map(({ declared, properties }) => {
      const body = Buffer.concat([
        Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x05, 0x02, 0x00, 0x1e]),
        remainingLength(declared),
        Buffer.from(properties),
        Buffer.from([0x00, 0x02, 0x76, 0x35]),
      ]);
      return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
    });
  const nul = fc.string({ maxLength: 16 }).map((text) => `v1/${text}\u0000/x`);
  const withNulTopic = fc
    .tuple(nul, fc.boolean())
    .map(([topic, subscribe]) =>
      Buffer.concat([
        validConnect,
        subscribe
          ? generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 1 }] })
          : generate({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 1, messageId: 2 }),
      ]),
    );
  const lyingLength = fc
    .record({
      type: fc.constantFrom(0x10, 0x30, 0x32, 0x82, 0xc0),
      length: fc.integer({ min: 0, max: 268_435_455 }),
    })
    .map(({ type, length }) =>
      Buffer.concat([
        validConnect,
        Buffer.from([type]),
        remainingLength(length),
        Buffer.alloc(Math.min(length, 4096)),
      ]),
    );
  const fiveByteLength = fc.constant(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f]));
  const afterConnect = garbage.map((bytes) => Buffer.concat([validConnect, bytes]));
  return fc.oneof(
    garbage,
    mangledConnect,
    v5Connect,
    withNulTopic,
    lyingLength,
    fiveByteLength,
    afterConnect,
  );
}

/** Sends `bytes` and hangs up once the broker has, or after LINGER_MS. */
function assault(port: number, localAddress: string, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1', localAddress });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, LINGER_MS);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => socket.write(bytes));
  });
}

/** A frame header announcing 200 MB, then as much body as the broker takes, up to OVERSIZED_BYTES; the bytes it took. */
async function oversized(port: number, validConnect: Buffer): Promise<number> {
  const socket = tcpConnect({ port, host: '127.0.0.1', localAddress: '127.0.10.1' });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(Buffer.concat([validConnect, Buffer.from([0x30]), remainingLength(200 * 1024 * 1024)]));
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  let sent = 0;
  while (!socket.destroyed && sent < OVERSIZED_BYTES) {
    sent += chunk.length;
    if (!socket.write(chunk)) {
      await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
    }
  }
  socket.destroy();
  await closed;
  return sent;
}

async function stillServes(target: Target): Promise<void> {
  const outcome = await tryConnect(`mqtt://127.0.0.1:${target.port()}`, {
    ...target.user,
    clientId: `${target.user.username}-after-fuzz`,
  });
  if (outcome.kind !== 'connected')
    throw new Error(`${target.name} no longer serves: ${JSON.stringify(outcome)}`);
  const topic = target.name === 'LAN broker' ? 'firepanel/panel_hall/event' : 'v1/s1/gw/status';
  await outcome.client.publishAsync(topic, JSON.stringify({ event: 'FAULT', loop: 1 }), { qos: 1 });
  await outcome.client.endAsync();
}

describe('hostile MQTT packets against the central broker and a gateway’s LAN broker', () => {
  let dir: string;
  const processes: ServiceProcess[] = [];
  const targets: Target[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'security-mqtt-fuzz-'));
    const credentialsFile = join(dir, 'credentials.json');
    await addCredential(credentialsFile, { ...ADMIN, role: 'admin', sites: ['*'] });
    const brokerPort = await freePort();
    const brokerHttp = await freePort();
    const broker = new ServiceProcess({
      name: 'broker',
      entry: 'broker/main.ts',
      logFile: join(dir, 'broker.log'),
      readyUrl: `http://127.0.0.1:${brokerHttp}/readyz`,
      env: {
        ...BROKER_PROCESS_ENV,
        BROKER_MQTT_PORT: String(brokerPort),
        BROKER_HTTP_PORT: String(brokerHttp),
        BROKER_CREDENTIALS_FILE: credentialsFile,
        BROKER_PERSISTENCE_DIR: join(dir, 'sessions'),
        BROKER_CONNECT_TIMEOUT_MS: '1000',
        LOG_LEVEL: 'warn',
      },
    });

    const lanCredentials = join(dir, 'lan-credentials.json');
    const panel = await addLanCredential(lanCredentials, { username: PANEL, devices: [PANEL] });
    const lanPort = await freePort();
    const edgeHttp = await freePort();
    const edgeConfig = join(dir, 'edge.yaml');
    await writeFile(
      edgeConfig,
      toYaml({
        site: 's1',
        gateway: 'gw-fuzz',
        // Nothing listens there: the gateway buffers, its LAN broker is what is under test.
        upstream: { url: `mqtt://127.0.0.1:${await freePort()}` },
        lan: { enabled: true, host: '127.0.0.1', port: lanPort, credentialsFile: lanCredentials },
        http: { host: '127.0.0.1', port: edgeHttp },
        dataDir: join(dir, 'edge'),
        mqttDevices: [{ id: PANEL, profile: 'gst-fire-panel', vendorId: 'panel_hall' }],
      }),
    );
    const edge = new ServiceProcess({
      name: 'edge',
      entry: 'edge/main.ts',
      args: ['--config', edgeConfig],
      logFile: join(dir, 'edge.log'),
      readyUrl: `http://127.0.0.1:${edgeHttp}/healthz`,
      env: { ...EDGE_PROCESS_ENV, LOG_LEVEL: 'warn' },
    });
    processes.push(broker, edge);
    await Promise.all([broker.start(), edge.start()]);
    targets.push(
      { name: 'central broker', port: () => brokerPort, pid: () => broker.pid as number, user: ADMIN },
      {
        name: 'LAN broker',
        port: () => lanPort,
        pid: () => edge.pid as number,
        user: { username: PANEL, password: panel.password },
      },
    );
  }, 120_000);

  afterAll(async () => {
    for (const process of processes) await process.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const index of [0, 1]) {
    it(`${index === 0 ? 'the central broker' : 'the LAN broker'} neither crashes nor grows, and keeps serving`, async () => {
      const target = targets[index] as Target;
      await stillServes(target);
      const validConnect = connectPacket(target.user, 'fuzzer');
      let n = 0;
      await fc.assert(
        fc.asyncProperty(hostileBytes(validConnect), async (bytes) => {
          const address = `127.0.8.${(n++ % 250) + 1}`;
          await assault(target.port(), address, bytes);
        }),
        fuzzOptions(300),
      );
      // A frame announced far over the limit is cut off as its header arrives, not buffered.
      expect(await oversized(target.port(), validConnect)).toBeLessThan(32 * 1024 * 1024);
      await stillServes(target);
      expect(processes[index]?.running).toBe(true);
      expect(rssBytes(target.pid())).toBeLessThan(RSS_LIMIT_BYTES);
    }, 180_000);
  }
});
