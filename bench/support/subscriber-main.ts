/**
 * Child entry: one MQTT subscriber that counts the messages it receives and reports
 * the count to the parent over IPC every 50 ms.
 * Env: MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD, FILTER, QOS.
 */
import mqtt from 'mqtt';

const env = (name: string) => process.env[name] ?? '';
let received = 0;
const client = mqtt.connect(env('MQTT_URL'), {
  clientId: `bench-subscriber-${process.pid}`,
  username: env('MQTT_USERNAME') || undefined,
  password: env('MQTT_PASSWORD') || undefined,
  protocolVersion: 4,
});
client.on('message', () => received++);
client.once('connect', () => {
  void client
    .subscribeAsync(env('FILTER'), { qos: Number(env('QOS')) as 0 | 1 })
    .then(() => process.send?.({ ready: true }));
});
setInterval(() => process.send?.({ received }), 50);
process.once('SIGTERM', () => client.end(true, () => process.exit(0)));
