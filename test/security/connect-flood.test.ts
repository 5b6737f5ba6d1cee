import { connect as tcpConnect, type Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerConfigInput } from '../../broker/index.js';
import { waitFor } from '../../runtime/index.js';
import { connectPacket } from '../fuzz/support/mqtt-bytes.js';
import { collect } from './support/mqtt-helpers.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { rawConnect, tally, type RawConnectResult } from './support/raw-connect.js';
import { startTestBroker, type TestBroker } from '../support/index.js';

/**
 * Issue 20, item 3: unauthenticated CONNECTs must not cost the broker without bound.
 * Every password check is scrypt (16 MiB, tens of ms on libuv's pool, which the
 * session store needs too); before the limits, every CONNECT paid one, from anyone, as
 * fast as they came. What a flood does to established clients' throughput is a bench
 * figure (bench/connect-flood.ts); these check the limits themselves, black-box:
 * loopback addresses of their own (127.0.0.2, …) stand for machines on the network.
 */
const GATEWAY = { username: 'gw-a', password: 'gw-a-password-flood' };
const USERS = [
  { ...GATEWAY, role: 'gateway' as const, sites: ['s1'], gateway: 'gw-a' },
  { username: 'admin', role: 'admin' as const, sites: ['*'], password: 'admin-password-flood' },
];

let broker: TestBroker | undefined;
const open: Array<{ end(force: boolean): unknown }> = [];
const sockets: Socket[] = [];

async function start(limits: NonNullable<BrokerConfigInput['limits']>): Promise<TestBroker> {
  broker = await startTestBroker(USERS, { limits });
  return broker;
}

async function steadyClient(
  url: string,
): Promise<{ client: MqttClient; roundTrips: (n: number) => Promise<void> }> {
  const outcome = await tryConnect(url, {
    username: 'admin',
    password: 'admin-password-flood',
    clientId: 'admin-steady',
  });
  if (outcome.kind !== 'connected') throw new Error(`steady client: ${outcome.kind}`);
  const client = outcome.client;
  open.push(client);
  const seen = collect(client);
  await client.subscribeAsync('v1/s1/gw-a/status', { qos: 1 });
  return {
    client,
    async roundTrips(n: number) {
      const markers = Array.from({ length: n }, (_, i) => `steady-${i}-${Math.random()}`);
      for (const marker of markers) await client.publishAsync('v1/s1/gw-a/status', marker, { qos: 1 });
      await waitFor(`${n} round trips`, () => markers.every((m) => seen.some((s) => s.payload === m)), {
        timeoutMs: 30_000,
      });
    },
  };
}

/** An idle TCP connection from `localAddress`. */
function idleSocket(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket));
    socket.once('error', reject);
    socket.on('error', () => undefined);
    sockets.push(socket);
  });
}
/** Sends a CONNECT on an open socket and resolves with the CONNACK code. */
const connackOn = (socket: Socket, clientId: string) =>
  new Promise<number>((resolve, reject) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received[0] === 0x20 && received.length >= 4) resolve(received[3] as number);
    });
    socket.once('close', () => reject(new Error('closed without CONNACK')));
    socket.write(connectPacket({ clientId, ...GATEWAY }));
  });
const closedBy = (socket: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (socket.destroyed || socket.readyState === 'closed') return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

afterEach(async () => {
  for (const client of open.splice(0)) client.end(true);
  for (const socket of sockets.splice(0)) socket.destroy();
  await broker?.close();
  broker = undefined;
});

describe('CONNECT floods', () => {
  it('an address that keeps failing logins is refused without a password check, others are not', async () => {
    const { service } = await start({ failedLoginsPerMinutePerAddress: 5 });
    const guesses: RawConnectResult[] = [];
    for (let i = 0; i < 20; i++) {
      guesses.push(
        await rawConnect({
          port: service.mqttPort,
          localAddress: '127.0.0.2',
          ...GATEWAY,
          password: `guess-${i}`,
        }),
      );
    }
    const counts = tally(guesses);
    // 5 at once, then one more every 12 s: at most a sixth is checked (code 4), the rest are turned away (3).
    expect(counts['4'] ?? 0).toBeLessThanOrEqual(6);
    expect(counts['3'] ?? 0).toBeGreaterThanOrEqual(14);

    const randomNames: RawConnectResult[] = [];
    for (let i = 0; i < 20; i++) {
      randomNames.push(
        await rawConnect({
          port: service.mqttPort,
          localAddress: '127.0.0.3',
          username: `nobody-${i}`,
          password: 'x',
        }),
      );
    }
    expect(tally(randomNames)['4'] ?? 0).toBeLessThanOrEqual(6);

    // Another address with the right password is let in.
    expect(await rawConnect({ port: service.mqttPort, localAddress: '127.0.0.4', ...GATEWAY })).toEqual({
      connack: 0,
    });
  });

  it("guesses of one gateway's password from many addresses are checked a few times, not once each", async () => {
    const { service } = await start({ failedLoginsPerMinutePerUser: 5 });
    // The gateway itself logs in from its address first.
    expect(await rawConnect({ port: service.mqttPort, localAddress: '127.0.0.5', ...GATEWAY })).toEqual({
      connack: 0,
    });
    const guesses: RawConnectResult[] = [];
    for (let i = 1; i <= 20; i++) {
      guesses.push(
        await rawConnect({
          port: service.mqttPort,
          localAddress: `127.0.3.${i}`,
          ...GATEWAY,
          password: `guess-${i}`,
        }),
      );
    }
    const counts = tally(guesses);
    // With a budget per address only, every one of the 20 would be checked (code 4).
    expect(counts['4'] ?? 0).toBeLessThanOrEqual(6);
    expect(counts['3'] ?? 0).toBeGreaterThanOrEqual(14);
    // The gateway, from where it logged in, and other credentials are not locked out.
    expect(await rawConnect({ port: service.mqttPort, localAddress: '127.0.0.5', ...GATEWAY })).toEqual({
      connack: 0,
    });
    expect(
      await rawConnect({
        port: service.mqttPort,
        localAddress: '127.0.3.30',
        username: 'admin',
        password: 'admin-password-flood',
      }),
    ).toEqual({ connack: 0 });
  });

  it('checks a bounded number of passwords at once and turns the rest away, while serving established clients', async () => {
    const { service } = await start({ concurrentPasswordChecks: 1, waitingPasswordChecks: 2 });
    const steady = await steadyClient(service.mqttUrl);
    const flood = Array.from({ length: 30 }, (_, i) =>
      rawConnect({
        port: service.mqttPort,
        localAddress: `127.0.1.${i + 1}`,
        ...GATEWAY,
        password: `wrong-${i}`,
      }),
    );
    const [results] = await Promise.all([Promise.all(flood), steady.roundTrips(50)]);
    const counts = tally(results);
    expect(counts['3'] ?? 0).toBeGreaterThan(0);
    expect(counts['0'] ?? 0).toBe(0);
    await steady.roundTrips(10);
  });

  it('closes connections an address opens faster than its rate, and serves other addresses', async () => {
    const { service } = await start({ connectsPerSecondPerAddress: 2 });
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        rawConnect({ port: service.mqttPort, localAddress: '127.0.0.5', ...GATEWAY, clientId: `gw-a-${i}` }),
      ),
    );
    const counts = tally(burst);
    // A burst of 10 (five seconds' worth), and whatever refilled meanwhile.
    expect(counts['0'] ?? 0).toBeLessThanOrEqual(14);
    expect(counts['closed'] ?? 0).toBeGreaterThanOrEqual(26);
    expect(await rawConnect({ port: service.mqttPort, localAddress: '127.0.0.6', ...GATEWAY })).toEqual({
      connack: 0,
    });
  });

  it('closes connections beyond the rate of all addresses together, however many addresses they come from', async () => {
    const { service } = await start({ connectsPerSecond: 2 });
    const steady = await steadyClient(service.mqttUrl);
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        rawConnect({
          port: service.mqttPort,
          localAddress: `127.0.4.${i + 1}`,
          ...GATEWAY,
          password: 'wrong',
          clientId: `gw-a-${i}`,
        }),
      ),
    );
    const counts = tally(burst);
    // Ten at once (five seconds' worth, the steady client took one), whatever refilled meanwhile; with a
    // rate per address only, each of the 40 addresses would have been let in.
    expect(counts['closed'] ?? 0).toBeGreaterThanOrEqual(26);
    await steady.roundTrips(10);
  });

  it('caps the connections open at once, per address and in total', async () => {
    const { service } = await start({ maxConnections: 5, maxConnectionsPerAddress: 3 });
    const fromOne = [];
    for (let i = 0; i < 4; i++) fromOne.push(await idleSocket(service.mqttPort, '127.0.0.7'));
    expect(await closedBy(fromOne[3] as Socket, 2_000)).toBe(true);
    const others = [];
    for (let i = 0; i < 3; i++) others.push(await idleSocket(service.mqttPort, '127.0.0.8'));
    // Three from the first address and two from the second make five: the third is one too many.
    expect(await closedBy(others[2] as Socket, 2_000)).toBe(true);
    // The five within the caps are served.
    const kept = [...fromOne.slice(0, 3), ...others.slice(0, 2)];
    expect(await Promise.all(kept.map((socket, i) => connackOn(socket, `gw-a-kept-${i}`)))).toEqual([
      0, 0, 0, 0, 0,
    ]);
  });
});
