/*
 * Broker CPU per QoS 1 message delivered to a persistent subscriber, per session store,
 * and how long the publisher waits for each PUBACK.
 *   [BENCH_BACKENDS=memory,disk] [BENCH_RATE=300] npm run bench -- broker-persistence [messages] [payload bytes]
 * BENCH_RATE paces the publisher at that many messages per second (a county's gateways send
 * about 300 batches/s, docs/scaling.md); without it 100 are kept in flight (the ceiling).
 * (payload: one reading, ~60 bytes, by default; a gateway's batch of 26 meters is ~5000)
 * The broker runs in a child process (this file, forked), so its CPU is measured alone;
 * the publisher (100 in flight) and the auto-acking persistent subscriber run here.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { brokerPersistenceSchema, openPersistence, type OpenedPersistence } from '../broker/index.js';
import { freePort } from '../runtime/index.js';

const ALL_BACKENDS = ['memory', 'disk'] as const;
type Backend = (typeof ALL_BACKENDS)[number];
/** BENCH_BACKENDS=memory runs one store only. */
const BACKENDS = ALL_BACKENDS.filter((backend) =>
  (process.env.BENCH_BACKENDS?.split(',') ?? ALL_BACKENDS).includes(backend),
);
type FromBroker = { ready: number } | { cpuMicros: number };

function open(backend: Backend, dir: string): Promise<OpenedPersistence> {
  return openPersistence(brokerPersistenceSchema.parse({ backend, dir }));
}

/** Child: a bare aedes on a free port; reports CPU used between 'start' and 'stop'. */
async function runBroker(backend: Backend, dir: string): Promise<void> {
  const opened = await open(backend, dir);
  const aedes = await Aedes.createBroker({ persistence: opened.persistence as never });
  const server = createServer(aedes.handle);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  let started = process.cpuUsage();
  process.on('message', (command: string) => {
    if (command === 'start') started = process.cpuUsage();
    if (command === 'stop') {
      const used = process.cpuUsage(started);
      process.send?.({ cpuMicros: used.user + used.system } satisfies FromBroker);
    }
    if (command === 'exit') {
      server.close();
      aedes.close(() => void opened.close().then(() => process.exit(0)));
    }
  });
  process.send?.({ ready: port } satisfies FromBroker);
}

async function measure(backend: Backend, messages: number, payloadBytes: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `session-store-cost-${backend}-`));
  const broker = fork(import.meta.filename, ['broker', backend, dir], { execArgv: process.execArgv });
  const nextMessage = () => new Promise<FromBroker>((resolve) => broker.once('message', resolve));
  try {
    const ready = await nextMessage();
    if (!('ready' in ready)) throw new Error('broker did not start');
    const url = `mqtt://127.0.0.1:${ready.ready}`;
    const subscriber = await mqtt.connectAsync(url, {
      clientId: 'bench-sub',
      clean: false,
      reconnectPeriod: 0,
    });
    await subscriber.subscribeAsync('bench/#', { qos: 1 });
    const publisher = await mqtt.connectAsync(url, { clientId: 'bench-pub', reconnectPeriod: 0 });
    let received = 0;
    const allReceived = new Promise<void>((resolve) =>
      subscriber.on('message', () => {
        if (++received === messages) resolve();
      }),
    );

    broker.send('start');
    const startedAt = performance.now();
    let sent = 0;
    const reading = JSON.stringify({ ts: Date.now(), seq: 0, values: { voltage_v: 229.8 } });
    const payload = Buffer.from(reading.padEnd(payloadBytes, ' '));
    const latencies: number[] = [];
    const publishOne = async () => {
      sent++;
      const at = performance.now();
      await publisher.publishAsync('bench/demo/gw-1/m-1/telemetry', payload, { qos: 1 });
      latencies.push(performance.now() - at);
    };
    const sender = async () => {
      while (sent < messages) await publishOne();
    };
    const rate = Number(process.env.BENCH_RATE ?? 0);
    if (rate > 0) {
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < messages; i++) {
        const due = startedAt + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        inFlight.push(publishOne());
      }
      await Promise.all(inFlight);
    } else {
      await Promise.all(Array.from({ length: 100 }, sender));
    }
    await allReceived;
    const wallMs = performance.now() - startedAt;
    broker.send('stop');
    const used = await nextMessage();
    if (!('cpuMicros' in used)) throw new Error('no CPU report');
    const perMessage = used.cpuMicros / messages;
    latencies.sort((a, b) => a - b);
    const quantile = (q: number) =>
      (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2);
    process.stdout.write(
      `${backend.padEnd(8)} broker CPU ${perMessage.toFixed(1).padStart(6)} µs/message, ` +
        `wall ${wallMs.toFixed(0).padStart(6)} ms (${Math.round((messages / wallMs) * 1000)} msg/s), ` +
        `PUBACK after p50 ${quantile(0.5)} ms, p99 ${quantile(0.99)} ms\n`,
    );
    await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
  } finally {
    broker.send('exit');
    await new Promise((resolve) => broker.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, backend, dir] = process.argv.slice(2);
if (mode === 'broker') {
  await runBroker(backend as Backend, dir as string);
} else {
  const messages = Number(mode ?? 20_000);
  const payloadBytes = Number(process.argv[3] ?? 0);
  process.stdout.write(`${messages} messages of ${Math.max(payloadBytes, 60)} bytes\n`);
  for (const each of BACKENDS) await measure(each, messages, payloadBytes);
}
