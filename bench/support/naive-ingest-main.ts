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
import mqtt from 'mqtt';
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

const client = mqtt.connect(env('MQTT_URL'), {
  clientId: env('MQTT_CLIENT_ID') || 'naive-ingest',
  clean: env('MQTT_CLEAN') !== 'false',
  username: env('MQTT_USERNAME') || undefined,
  password: env('MQTT_PASSWORD') || undefined,
});
client.on('message', (topic, payload) => {
  const parts = topic.split('/');
  const message = JSON.parse(payload.toString());
  if (parts[3] === 'batch') {
    for (const item of message.telemetry)
      addReading(parts[1] as string, parts[2] as string, item.device, item);
  } else if (parts[4] === 'telemetry') {
    addReading(parts[1] as string, parts[2] as string, parts[3] as string, message);
  }
});
client.on('connect', () => {
  const site = registry.siteId;
  void client
    .subscribeAsync([`v1/${site}/+/+/telemetry`, `v1/${site}/+/batch`], { qos: 1 })
    .then(() => process.send?.({ ready: true }));
});
setInterval(flush, 200);
process.once('SIGTERM', () => client.end(true, () => process.exit(0)));
