import { join } from 'node:path';
import { waitFor } from '../../runtime/index.js';
import { Child } from './child-process.js';

/** A counting subscriber (subscriber-main.ts) in its own process, so it does not share the publishers' event loop. */
export class SubscriberProcess {
  private child: Child | undefined;
  private ready = false;
  received = 0;

  constructor(
    private readonly options: {
      url: string;
      username?: string | undefined;
      password?: string | undefined;
      filter: string;
      qos: 0 | 1;
      dir: string;
    },
  ) {}

  get pid(): number {
    return (this.child as Child).pid;
  }

  async start(): Promise<void> {
    const { options } = this;
    const child = Child.node('bench/support/subscriber-main.ts', [], {
      logFile: join(options.dir, 'subscriber.log'),
      ipc: true,
      env: {
        MQTT_URL: options.url,
        MQTT_USERNAME: options.username ?? '',
        MQTT_PASSWORD: options.password ?? '',
        FILTER: options.filter,
        QOS: String(options.qos),
      },
    });
    child.process.on('message', (message: { ready?: boolean; received?: number }) => {
      if (message.ready) this.ready = true;
      if (message.received !== undefined) this.received = message.received;
    });
    this.child = child;
    await waitFor('subscriber ready', () => this.ready, { timeoutMs: 30_000 });
  }

  async stop(): Promise<void> {
    await this.child?.stop();
    this.child = undefined;
  }
}
