import type { BenchMessage } from './canonical-telemetry.js';
import { RawPublisher } from './raw-publisher.js';

export interface PublisherPoolOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  publishers: number;
  clientIdPrefix: string;
}

/**
 * MQTT publishers on their own connections, each keeping a window of publishes in flight.
 * They are {@link RawPublisher}s, not mqtt.js clients, so the load costs the measured box little.
 */
export class PublisherPool {
  private clients: RawPublisher[] = [];

  constructor(private readonly options: PublisherPoolOptions) {}

  async start(): Promise<void> {
    const { url, username, password, publishers, clientIdPrefix } = this.options;
    this.clients = await Promise.all(
      Array.from({ length: publishers }, (_, i) =>
        RawPublisher.connect(url, { clientId: `${clientIdPrefix}-${i}`, username, password }),
      ),
    );
  }

  /** Messages and points finished (QoS 1: PUBACKed; QoS 0: written to the socket) so far. */
  finished = { messages: 0, points: 0 };

  /**
   * Publishes until `gate` says `stop`, each publisher keeping up to `window` messages
   * unfinished; while it says `wait` (the consumer is too far behind) no new message goes out.
   */
  async run(qos: 0 | 1, window: number, nextMessage: () => BenchMessage, gate: () => Gate): Promise<void> {
    await Promise.all(this.clients.map((client) => this.pump(client, qos, window, nextMessage, gate)));
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.end()));
    this.clients = [];
  }

  private pump(
    client: RawPublisher,
    qos: 0 | 1,
    window: number,
    nextMessage: () => BenchMessage,
    gate: () => Gate,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      let inFlight = 0;
      let stopping = false;
      let waiting = false;
      // RawPublisher calls back only from later events (a PUBACK, a finished write), never
      // inside publish(), so a fill never runs inside another.
      const fill = (): void => {
        client.burst(fillWindow);
        if (stopping && inFlight === 0) resolve();
      };
      const fillWindow = (): void => {
        while (!stopping && inFlight < window) {
          const state = gate();
          if (state === 'stop') stopping = true;
          else if (state === 'wait') {
            if (!waiting) {
              waiting = true;
              setTimeout(() => {
                waiting = false;
                fill();
              }, 10);
            }
            return;
          } else send();
        }
      };
      const send = (): void => {
        const message = nextMessage();
        inFlight++;
        client.publish(message.topic, message.payload, qos, (error) => {
          if (error) return reject(error);
          inFlight--;
          this.finished.messages++;
          this.finished.points += message.points;
          fill();
        });
      };
      client.onClose(() => {
        if (!stopping) reject(new Error('publisher connection closed during the run'));
      });
      fill();
    });
  }
}

export type Gate = 'go' | 'wait' | 'stop';
