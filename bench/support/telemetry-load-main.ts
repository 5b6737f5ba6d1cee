/**
 * Child entry: per-device canonical telemetry at a fixed rate, as a gateway in
 * `per-device` mode sends it (mqtt.js, QoS 1), in its own process so that the load does
 * not share an event loop with what measures it. Reports `{ sent, acked }` over IPC
 * every 100 ms. Env: MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD, RATE (messages/s),
 * METERS (JSON: [{ topic, values }]).
 */
import mqtt from 'mqtt';

const TICK_MS = 10;
const env = (name: string) => process.env[name] ?? '';
const rate = Number(env('RATE'));
const meters = JSON.parse(env('METERS')) as Array<{ topic: string; values: Record<string, number> }>;
let sent = 0;
let acked = 0;
let seq = 1_000_000;

const client = await mqtt.connectAsync(env('MQTT_URL'), {
  username: env('MQTT_USERNAME'),
  password: env('MQTT_PASSWORD'),
  clientId: `bench-telemetry-load-${process.pid}`,
  reconnectPeriod: 1_000,
});
const perTick = Math.round((rate * TICK_MS) / 1000);
const started = Date.now();
setInterval(() => {
  // Catch up to the wall clock so the rate holds even when a tick runs late.
  const due = Math.floor(((Date.now() - started) * rate) / 1000) - sent;
  for (let i = 0; i < Math.min(due, perTick * 5); i++) {
    const meter = meters[sent % meters.length]!;
    seq += 1;
    client.publish(
      meter.topic,
      JSON.stringify({ ts: Date.now(), seq, values: meter.values }),
      { qos: 1 },
      (error) => {
        if (!error) acked += 1;
      },
    );
    sent += 1;
  }
}, TICK_MS);
setInterval(() => process.send?.({ sent, acked }), 100);
process.send?.({ ready: true });
process.once('SIGTERM', () => {
  process.send?.({ sent, acked });
  client.end(false, () => process.exit(0));
});
