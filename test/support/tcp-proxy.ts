import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * The village uplink as a TCP hop between the gateway and the broker: `cut()` drops
 * every connection and refuses new ones, as a failed 4G link does, while both ends
 * keep running; `restore()` lets traffic through again. While `resetting`, a client's
 * connection is reset (RST) as soon as it sends anything, as a meter or serial server
 * that reboots mid-transaction does; `resets` counts them.
 */
export class TcpProxy {
  resetting = false;
  resets = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private up = true;

  constructor(
    readonly listenPort: number,
    private readonly targetPort: number,
  ) {}

  /** Listens (again, after `stop()`) and lets traffic through. */
  async start(): Promise<void> {
    this.up = true;
    const server = createServer((client) => {
      if (!this.up) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.on('data', () => {
        if (!this.resetting) return;
        this.resets++;
        client.resetAndDestroy();
      });
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.listenPort, '127.0.0.1', resolve));
  }

  cut(): void {
    this.up = false;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.up = true;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
