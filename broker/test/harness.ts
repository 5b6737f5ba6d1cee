import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { quietLogger, startTestBroker, testBrokerConfig, type TestBroker } from '../../test/support/index.js';
import { BrokerService } from '../broker-service.js';
import type { BrokerConfigInput } from '../config.js';
import { addCredential, type AddCredentialInput } from '../credentials/credential-admin.js';

export { quietLogger, startTestBroker, testBrokerConfig, type TestBroker } from '../../test/support/index.js';

/** A broker for one test file, with an admin client that collects everything on `filters`. */
export interface WatchedBroker {
  readonly broker: TestBroker;
  readonly url: string;
  /** The admin client that watches everything. */
  readonly admin: MqttClient;
  /** Every message the admin client has received, in order. */
  readonly seen: Array<{ topic: string; payload: string }>;
}

/**
 * Registers a test file's broker: before its tests, started with `users` (an admin among
 * them) and the admin subscribed to `filters`; after each test, every connectClient()
 * client closed; at the end, the admin and the broker stopped.
 */
export function watchedBrokerFixture(
  users: readonly AddCredentialInput[],
  { config = {}, filters = ['v1/#'] }: { config?: Partial<BrokerConfigInput>; filters?: string[] } = {},
): WatchedBroker {
  let broker: TestBroker | undefined;
  let admin: MqttClient | undefined;
  let seen: Array<{ topic: string; payload: string }> = [];
  beforeAll(async () => {
    const account = users.find((user) => user.role === 'admin');
    if (!account) throw new Error('watchedBrokerFixture needs an admin among its users');
    broker = await startTestBroker(users, config);
    admin = await openClient(broker.service.mqttUrl, {
      username: account.username,
      password: account.password,
      clientId: 'admin-watch',
    });
    seen = collect(admin);
    await admin.subscribeAsync(filters, { qos: 1 });
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await admin?.endAsync(true);
    await broker?.close();
  });
  const started = () => {
    if (!broker) throw new Error('the watched broker is used before its beforeAll ran');
    return broker;
  };
  return {
    get broker() {
      return started();
    },
    get url() {
      return started().service.mqttUrl;
    },
    get admin() {
      if (!admin) throw new Error('the watched broker is used before its beforeAll ran');
      return admin;
    },
    get seen() {
      return seen;
    },
  };
}

/** What the session tests need: ingest (every site, persistent session) and gateway gw-a of site `s`. */
export const SESSION_ACCOUNTS = {
  ingest: { username: 'ingest', password: 'ingest-password-1', clean: false },
  gateway: { username: 'gw-a', password: 'gateway-a-password', clientId: 'gw-a' },
} as const;

export async function addSessionAccounts(credentialsFile: string): Promise<void> {
  const { ingest, gateway } = SESSION_ACCOUNTS;
  const { username, password } = ingest;
  await addCredential(credentialsFile, { username, password, role: 'ingest', sites: ['*'] });
  await addCredential(credentialsFile, {
    username: gateway.username,
    password: gateway.password,
    role: 'gateway',
    sites: ['s'],
    gateway: 'gw-a',
  });
}

/** An in-process broker on free ports over `dir`'s credentials, keeping sessions as `persistence` says. */
export async function startSessionBroker(
  dir: { credentialsFile: string; sessionsDir: string },
  persistence: BrokerConfigInput['persistence'] = {},
): Promise<BrokerService> {
  const service = new BrokerService(
    testBrokerConfig(dir, { persistence: { dir: dir.sessionsDir, ...persistence } }),
    { logger: quietLogger() },
  );
  await service.start();
  return service;
}

export interface TempBrokerDir {
  path: string;
  credentialsFile: string;
  sessionsDir: string;
  remove(): Promise<void>;
}

/** A fresh temp folder for a broker's credentials file and sessions. */
export async function tempBrokerDir(): Promise<TempBrokerDir> {
  const path = await mkdtemp(join(tmpdir(), 'broker-test-'));
  return {
    path,
    credentialsFile: join(path, 'credentials.json'),
    sessionsDir: join(path, 'sessions'),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/**
 * Registers what a test file of session brokers needs: before its tests, a temp folder
 * with the session accounts (after `prepare`, e.g. starting Redis in it); after each
 * test, every client closed and the broker `start` last started stopped; at the end,
 * `cleanup` and the folder removed.
 */
export function sessionBrokerFixture(
  hooks: { prepare?(dir: TempBrokerDir): Promise<void>; cleanup?(): Promise<void> } = {},
): { dir(): TempBrokerDir; start(persistence?: BrokerConfigInput['persistence']): Promise<BrokerService> } {
  let dir: TempBrokerDir | undefined;
  let broker: BrokerService | undefined;
  beforeAll(async () => {
    dir = await tempBrokerDir();
    await hooks.prepare?.(dir);
    await addSessionAccounts(dir.credentialsFile);
  });
  afterEach(async () => {
    await closeAllClients();
    await broker?.stop();
    broker = undefined;
  });
  afterAll(async () => {
    await hooks.cleanup?.();
    await dir?.remove();
  });
  const currentDir = () => {
    if (dir === undefined) throw new Error('the session broker fixture is used before its beforeAll ran');
    return dir;
  };
  return {
    dir: currentDir,
    start: async (persistence) => (broker = await startSessionBroker(currentDir(), persistence)),
  };
}

const clients = new Set<MqttClient>();

/** A client closed by `closeAllClients()` (call it in afterEach). */
export async function connectClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const client = await openClient(url, options);
  clients.add(client);
  return client;
}

/** A client the caller closes itself (one that outlives a single test). */
export function openClient(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
}

/** Subscribes and returns the granted QoS per filter, 128 for a refusal (mqtt.js rejects when any is 128). */
export async function subscribeGranted(
  client: MqttClient,
  filters: readonly string[],
  qos: 0 | 1 = 1,
): Promise<Record<string, number>> {
  let granted: number[];
  try {
    granted = (await client.subscribeAsync([...filters], { qos })).map((grant) => grant.qos);
  } catch (error) {
    const packet = (error as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw error;
    granted = packet.granted;
  }
  return Object.fromEntries(filters.map((filter, i) => [filter, granted[i] as number]));
}

/** Resolves with the CONNACK failure code (4 bad credentials, 5 not authorised), rejects if the connect succeeds. */
export async function connectRefusal(url: string, options: IClientOptions = {}): Promise<number | undefined> {
  try {
    const client = await connectClient(url, options);
    await client.endAsync(true);
  } catch (error) {
    return (error as { code?: number }).code;
  }
  throw new Error('connection was accepted');
}

export async function closeAllClients(): Promise<void> {
  await Promise.all([...clients].map((client) => client.endAsync(true)));
  clients.clear();
}

/** Collects messages a client receives, by topic. */
export function collect(client: MqttClient): Array<{ topic: string; payload: string }> {
  const received: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  return received;
}

/**
 * Connects a client that collects what it receives from the first packet on: a broker
 * sends a persistent session's queue right behind the CONNACK, before `connectAsync`'s
 * caller could attach a listener.
 */
export async function connectCollecting(
  url: string,
  options: IClientOptions = {},
): Promise<{ client: MqttClient; messages: Array<{ topic: string; payload: string }> }> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  clients.add(client);
  const messages = collect(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  return { client, messages };
}

/** Resolves when the client's connection closes (or at once if it already has). */
export function closed(client: MqttClient): Promise<void> {
  if (!client.connected) return Promise.resolve();
  return new Promise((resolve) => client.once('close', () => resolve()));
}
