import { createServer, type Server, type Socket } from 'node:net';
import type { Component } from '../../runtime/index.js';
import type { BusEndpoint } from '../modbus/bus-server.js';
import type { ServedReading } from '../modbus/simulated-meter.js';
import { Dlt645Line, type Dlt645LineOptions } from './dlt645-line.js';

export type Dlt645TcpServerOptions = Omit<Dlt645LineOptions, 'line'>;

/**
 * A line of DL/T 645 meters behind an RS-485-to-Ethernet converter in transparent
 * mode: raw DL/T 645 frames over TCP, no framing of its own. Each connection gets the
 * line's meters on its own byte stream (a gateway that reconnects starts afresh).
 */
export class Dlt645TcpServer implements Component {
  private server: Server | undefined;
  private readonly lines = new Map<Socket, Dlt645Line>();
  /** What meters served on connections since closed. */
  private readonly servedBefore = new Map<string, ServedReading>();
  private boundPort = 0;

  constructor(
    private readonly where: { busId: string; host: string; port: number },
    private readonly options: Dlt645TcpServerOptions,
  ) {}

  /** Where the server listens (the port actually bound when 0 was asked). */
  get endpoint(): BusEndpoint {
    return { busId: this.where.busId, host: this.where.host, port: this.boundPort || this.where.port };
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((socket) => void this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.where.port, this.where.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    server.on('error', (error) =>
      this.options.logger.error({ err: error, bus: this.where.busId }, 'server error'),
    );
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.where.port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const [socket, line] of this.lines) {
      await line.stop();
      socket.destroy();
    }
    this.lines.clear();
    await closed;
  }

  /** The values behind a meter's most recent replies on any connection. */
  lastServed(address: string): ServedReading | undefined {
    let latest = this.servedBefore.get(address);
    for (const line of this.lines.values()) {
      const served = line.lastServed(address);
      if (served && (!latest || served.ts >= latest.ts)) latest = served;
    }
    return latest;
  }

  private async accept(socket: Socket): Promise<void> {
    socket.setNoDelay(true);
    socket.on('error', (error) =>
      this.options.logger.debug({ err: error, bus: this.where.busId }, 'socket error'),
    );
    const line = new Dlt645Line({ ...this.options, line: { stream: socket } });
    try {
      await line.start();
    } catch (error) {
      this.options.logger.error({ err: error, bus: this.where.busId }, 'cannot serve the DL/T 645 line');
      socket.destroy();
      return;
    }
    this.lines.set(socket, line);
    socket.once('close', () => {
      if (this.lines.get(socket) !== line) return;
      this.lines.delete(socket);
      for (const meter of line.addresses) {
        const served = line.lastServed(meter);
        const before = this.servedBefore.get(meter);
        if (served && (!before || served.ts >= before.ts)) this.servedBefore.set(meter, served);
      }
      void line.stop();
    });
  }
}
