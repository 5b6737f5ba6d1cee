/**
 * Child entry: the minimal ingest a hobbyist would write, for comparison with ours.
 * mqtt.js subscribe (QoS 1, acknowledged on arrival), JSON.parse, line protocol,
 * POST /write every 1000 points without waiting for the previous one; no validation,
 * no dead letters, no ack discipline. Tags come from the site file so it writes the
 * same points as ours. Reports points InfluxDB accepted to the parent over IPC.
 *
 * Env: MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD, INFLUX_URL, INFLUX_DATABASE; MQTT_CLEAN=false
 * with MQTT_CLIENT_ID asks the broker for a persistent session (still acknowledged on arrival).
 */
import { connect as connectSocket } from 'node:net';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { telemetryMeasurement } from '../../devices/index.js';
import { DEMO_SITE_FILE, SiteRegistry } from '../../site/index.js';

const env = (name: string) => process.env[name] ?? '';
const registry = SiteRegistry.fromFile(DEMO_SITE_FILE);
const writeUrl = `${env('INFLUX_URL')}/write?db=${encodeURIComponent(env('INFLUX_DATABASE'))}&precision=ms`;
const FLUSH_POINTS = 1000;

let lines: string[] = [];
let written = 0;

function flush(): void {
  if (lines.length === 0) return;
  const body = lines.join('\n');
  const count = lines.length;
  lines = [];
  void fetch(writeUrl, { method: 'POST', body }).then(
    async (response) => {
      await response.body?.cancel();
      if (response.status === 204) written += count;
      process.send?.({ written });
    },
    () => undefined,
  );
}

function addReading(
  site: string,
  gateway: string,
  deviceId: string,
  reading: { ts: number; seq: number; values: Record<string, number> },
): void {
  const registered = registry.device(deviceId);
  if (!registered) return;
  const { device, profile } = registered;
  const tags = `building=${device.building},device=${device.id},gateway=${gateway},model=${profile.id},site=${site},zone=${device.zone}`;
  const fields = Object.entries(reading.values).map(([key, value]) => `${key}=${value}`);
  lines.push(
    `${telemetryMeasurement(profile)},${tags} ${fields.join(',')},seq=${reading.seq}i ${reading.ts}`,
  );
  if (lines.length >= FLUSH_POINTS) flush();
}

function onMessage(topic: string, payload: Buffer): void {
  const parts = topic.split('/');
  const message = JSON.parse(payload.toString());
  if (parts[3] === 'batch') {
    for (const item of message.telemetry)
      addReading(parts[1] as string, parts[2] as string, item.device, item);
  } else if (parts[4] === 'telemetry') {
    addReading(parts[1] as string, parts[2] as string, parts[3] as string, message);
  }
}

const site = registry.siteId;
const filters = [`v1/${site}/+/+/telemetry`, `v1/${site}/+/batch`];
const session = {
  clientId: env('MQTT_CLIENT_ID') || 'naive-ingest',
  clean: env('MQTT_CLEAN') !== 'false',
  username: env('MQTT_USERNAME') || undefined,
  password: env('MQTT_PASSWORD') || undefined,
};

if (env('NAIVE_CLIENT') === 'mqtt-packet') {
  // The protocol library mqtt.js is built on, straight over a socket: parse, PUBACK on arrival.
  const url = new URL(env('MQTT_URL'));
  const socket = connectSocket({ host: url.hostname, port: Number(url.port) });
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const send = (packet: mqttPacket.Packet) => mqttPacket.writeToStream(packet, socket);
  socket.on('connect', () =>
    send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: session.clean,
      clientId: session.clientId,
      keepalive: 60,
      ...(session.username
        ? { username: session.username, password: Buffer.from(session.password ?? '') }
        : {}),
    }),
  );
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  parser.on('packet', (packet) => {
    if (packet.cmd === 'connack')
      send({ cmd: 'subscribe', messageId: 1, subscriptions: filters.map((topic) => ({ topic, qos: 1 })) });
    else if (packet.cmd === 'suback') process.send?.({ ready: true });
    else if (packet.cmd === 'publish') {
      onMessage(packet.topic, packet.payload as Buffer);
      if (packet.qos > 0) send({ cmd: 'puback', messageId: packet.messageId });
    }
  });
  setInterval(() => send({ cmd: 'pingreq' }), 30_000).unref();
  process.once('SIGTERM', () => {
    send({ cmd: 'disconnect' });
    socket.end(() => process.exit(0));
  });
} else {
  const client = mqtt.connect(env('MQTT_URL'), session);
  client.on('message', onMessage);
  client.on('connect', () => {
    void client.subscribeAsync(filters, { qos: 1 }).then(() => process.send?.({ ready: true }));
  });
  process.once('SIGTERM', () => client.end(true, () => process.exit(0)));
}
setInterval(flush, 200);
