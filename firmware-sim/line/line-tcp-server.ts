import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Component, Logger } from '../../runtime/index.js';
import type { BusEndpoint } from '../modbus/bus-server.js';
import type { ServedReading } from '../modbus/simulated-meter.js';
import type { LineMeter, MeterLine } from './meter-line.js';

/** What the simulator needs of a served line, whatever its protocol. */
export interface LineServer extends Component {
  readonly endpoint: BusEndpoint;
  lastServed(address: string): ServedReading | undefined;
}

/**
 * A line of byte-framed meters (DL/T 645, CJ/T 188) behind an RS-485-to-Ethernet
 * converter in transparent mode: raw frames over TCP, no framing of its own. Each
 * connection gets the line's meters on its own byte stream (a gateway that reconnects
 * starts afresh).
 */
export class LineTcpServer<F> implements LineServer {
  private server: Server | undefined;
  private readonly lines = new Map<Socket, MeterLine<F, LineMeter<F>>>();
  /** What meters served on connections since closed. */
  private readonly servedBefore = new Map<string, ServedReading>();
  private boundPort = 0;

  constructor(
    private readonly where: { busId: string; host: string; port: number },
    private readonly options: { logger: Logger; line: (stream: Duplex) => MeterLine<F, LineMeter<F>> },
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
    const line = this.options.line(socket);
    try {
      await line.start();
    } catch (error) {
      this.options.logger.error({ err: error, bus: this.where.busId }, 'cannot serve the meter line');
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
