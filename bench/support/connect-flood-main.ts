/**
 * Child entry: a CONNECT flood. Opens RATE TCP connections per second to the broker,
 * each sending one CONNECT that must fail, and counts how each ended: CONNACK code,
 * closed without one, or given up after 5 s. Reports the counts over IPC every 200 ms.
 * Env: PORT, RATE, MODE (`unknown-users`: a new random username each time;
 * `known-user`: USERNAME with a wrong password), ADDRESSES (1: from 127.0.0.1; N: from
 * 127.0.2.1 … so the broker sees N machines), MAX_OPEN (connections open at most).
 */
import { connect } from 'node:net';
import mqttPacket from 'mqtt-packet';

const env = (name: string, fallback = '') => process.env[name] ?? fallback;
const port = Number(env('PORT'));
const rate = Number(env('RATE', '1000'));
const mode = env('MODE', 'unknown-users');
const username = env('USERNAME', 'ingest');
const addresses = Number(env('ADDRESSES', '1'));
const maxOpen = Number(env('MAX_OPEN', '3000'));
const GIVE_UP_MS = 5_000;
const TICK_MS = 10;

const outcomes: Record<string, number> = {};
let attempted = 0;
let open = 0;
const count = (key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);
const localAddress = (n: number) =>
  addresses <= 1
    ? '127.0.0.1'
    : `127.0.${2 + Math.floor((n % addresses) / 250)}.${1 + ((n % addresses) % 250)}`;

function attempt(n: number): void {
  if (open >= maxOpen) {
    count('not sent (generator at MAX_OPEN)');
    return;
  }
  attempted++;
  open++;
  const socket = connect({ port, host: '127.0.0.1', localAddress: localAddress(n) });
  let settled = false;
  const settle = (key: string) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    open--;
    count(key);
    socket.destroy();
  };
  const timer = setTimeout(() => settle('no answer in 5 s'), GIVE_UP_MS);
  socket.on('connect', () => {
    const name = mode === 'known-user' ? username : `nobody-${n}-${Math.random().toString(36).slice(2)}`;
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        keepalive: 30,
        clientId: `flood-${n}`,
        username: name,
        password: Buffer.from(`guess-${n}`),
      }),
    );
  });
  let received = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    received = Buffer.concat([received, chunk]);
    if (received[0] === 0x20 && received.length >= 4) settle(`CONNACK ${received[3]}`);
  });
  socket.on('error', () => settle('closed without CONNACK'));
  socket.on('close', () => settle('closed without CONNACK'));
}

let n = 0;
const startedAt = performance.now();
setInterval(() => {
  const due = Math.floor(((performance.now() - startedAt) / 1000) * rate);
  while (n < due) attempt(n++);
}, TICK_MS);
setInterval(
  () => process.send?.({ attempted, outcomes, elapsedS: (performance.now() - startedAt) / 1000 }),
  200,
);
process.once('SIGTERM', () => process.exit(0));
