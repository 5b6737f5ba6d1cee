import mqtt, { type MqttClient } from 'mqtt';
import { topics, type EventType } from '../../../contracts/index.js';

export const SITE = 'demo-village';
export const GATEWAY = 'gw-center';

/** Publishes canonical messages the way the edge gateway does (QoS 1). */
export class CanonicalPublisher {
  private client: MqttClient | undefined;
  private seq = 0;

  /** `login`: the gateway's credential, on a broker that asks for one (the project's). */
  async start(url: string, login?: { username: string; password: string }): Promise<void> {
    this.client = await mqtt.connectAsync(url, {
      clientId: `test-gateway-${process.pid}`,
      reconnectPeriod: 0,
      ...login,
    });
  }

  async status(state: 'online' | 'offline'): Promise<void> {
    const payload = {
      state,
      ts: Date.now(),
      version: 'test',
      ...(state === 'offline' ? { reason: 'lwt' } : { reason: 'startup' }),
    };
    await this.require().publishAsync(topics.status(SITE, GATEWAY), JSON.stringify(payload), {
      qos: 1,
      retain: true,
    });
  }

  async event(
    device: string,
    type: EventType,
    data: Record<string, string | number | boolean> = {},
  ): Promise<void> {
    const payload = { ts: Date.now(), seq: ++this.seq, type, data };
    await this.require().publishAsync(topics.event(SITE, GATEWAY, device), JSON.stringify(payload), {
      qos: 1,
    });
  }

  async telemetry(device: string, values: Record<string, number>): Promise<void> {
    const payload = { ts: Date.now(), seq: ++this.seq, values };
    await this.require().publishAsync(topics.telemetry(SITE, GATEWAY, device), JSON.stringify(payload), {
      qos: 1,
    });
  }

  async raw(topic: string, payload: string): Promise<void> {
    await this.require().publishAsync(topic, payload, { qos: 1 });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync();
    this.client = undefined;
  }

  private require(): MqttClient {
    if (!this.client) throw new Error('publisher not started');
    return this.client;
  }
}
