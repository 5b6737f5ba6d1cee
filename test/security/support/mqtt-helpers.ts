import type { MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
}

/** Collects what a client receives. */
export function collect(client: MqttClient): Received[] {
  const received: Received[] = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  return received;
}

/** Granted QoS per filter, 128 for a refusal (mqtt.js rejects the whole call when any is 128). */
export async function subscribeGranted(
  client: MqttClient,
  filters: readonly string[],
): Promise<Record<string, number>> {
  let granted: number[];
  try {
    granted = (await client.subscribeAsync([...filters], { qos: 1 })).map((grant) => grant.qos);
  } catch (error) {
    const packet = (error as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw error;
    granted = packet.granted;
  }
  return Object.fromEntries(filters.map((filter, i) => [filter, granted[i] as number]));
}

/** Resolves when the client's connection closes (at once if it already has). */
export function closed(client: MqttClient): Promise<void> {
  if (!client.connected) return Promise.resolve();
  return new Promise((resolve) => client.once('close', () => resolve()));
}
