/**
 * Child entry: canonical telemetry at a fixed rate of readings (one meter's values), as
 * a gateway in `per-device` mode sends it (one message per reading, the default here) or,
 * with FORM=batch, as it ships (one gzip batch of every meter's reading per poll cycle,
 * BATCH_TOPIC); mqtt.js, QoS 1, in its own process so that the load does not share an
 * event loop with what measures it. Reports `{ sent, acked }` in readings over IPC every
 * 100 ms. Env: MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD, RATE (readings/s),
 * METERS (JSON: [{ device, topic, values }]), FORM, BATCH_TOPIC.
 */
import mqtt from 'mqtt';
import { encodeBatchPayload } from '../../contracts/index.js';

const TICK_MS = 10;
const env = (name: string) => process.env[name] ?? '';
const rate = Number(env('RATE'));
const meters = JSON.parse(env('METERS')) as Array<{
  device: string;
  topic: string;
  values: Record<string, number>;
}>;
const batched = env('FORM') === 'batch';
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
  if (batched) {
    // Whole poll cycles only: a batch holds every meter's reading.
    for (let i = 0; i < Math.floor(Math.min(due, perTick * 5) / meters.length); i++) {
      const ts = Date.now();
      const telemetry = meters.map((meter) => ({
        device: meter.device,
        ts,
        seq: ++seq,
        values: meter.values,
      }));
      client.publish(
        env('BATCH_TOPIC'),
        encodeBatchPayload(JSON.stringify({ ts, telemetry }), 'gzip'),
        { qos: 1 },
        (error) => {
          if (!error) acked += meters.length;
        },
      );
      sent += meters.length;
    }
    return;
  }
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
