import { join } from 'node:path';
import { freePort, waitFor } from '../../runtime/index.js';
import { Child } from './child-process.js';

export interface LinkProxyOptions {
  targetPort: number;
  /** Folder for the proxy's log. */
  dir: string;
  name: string;
  /** Bits per second each way; 0 or absent: as fast as loopback. */
  rateBps?: number;
  /** One-way delay per chunk, ms. */
  delayMs?: number;
  /** Byte strings whose passing is reported (e.g. an MQTT topic). */
  markers?: readonly string[];
}

export interface LinkSighting {
  marker: string;
  /** `up`: from the connecting client towards the target. */
  direction: 'up' | 'down';
  /** Date.now() in the proxy's process when the chunk arrived. */
  at: number;
}

/**
 * A network link between two parts of the platform (link-proxy-main.ts in its own
 * process): counts bytes each way, can shape them like a 4G uplink, and reports
 * when chunks carrying given markers pass.
 */
export class LinkProxy {
  readonly bytes = { up: 0, down: 0 };
  private child: Child | undefined;
  private ready = false;
  private port = 0;
  private readonly listeners = new Set<(sighting: LinkSighting) => void>();

  constructor(private readonly options: LinkProxyOptions) {}

  get listenPort(): number {
    return this.port;
  }

  async start(): Promise<void> {
    const { options } = this;
    this.port = await freePort();
    const child = Child.node('bench/support/link-proxy-main.ts', [], {
      logFile: join(options.dir, `link-proxy-${options.name}.log`),
      ipc: true,
      env: {
        LISTEN_PORT: String(this.port),
        TARGET_PORT: String(options.targetPort),
        RATE_BPS: String(options.rateBps ?? 0),
        DELAY_MS: String(options.delayMs ?? 0),
        MARKERS: (options.markers ?? []).join(','),
      },
    });
    child.process.on(
      'message',
      (message: { ready?: boolean; bytes?: { up: number; down: number }; seen?: LinkSighting }) => {
        if (message.ready) this.ready = true;
        if (message.bytes) Object.assign(this.bytes, message.bytes);
        if (message.seen) for (const listener of this.listeners) listener(message.seen);
      },
    );
    this.child = child;
    await waitFor(`link proxy ${options.name}`, () => this.ready, { timeoutMs: 30_000 });
  }

  /** Told of every sighting from now on; returns the unsubscribe function. */
  onSighting(listener: (sighting: LinkSighting) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The byte counts as of the proxy's next report (at most 100 ms old). */
  async settledBytes(): Promise<{ up: number; down: number }> {
    const child = this.child;
    if (!child) return { ...this.bytes };
    await new Promise<void>((resolve) => {
      const onMessage = (message: { bytes?: unknown }) => {
        if (!message.bytes) return;
        child.process.off('message', onMessage);
        resolve();
      };
      child.process.on('message', onMessage);
    });
    return { ...this.bytes };
  }

  async stop(): Promise<void> {
    await this.child?.stop();
    this.child = undefined;
  }
}
