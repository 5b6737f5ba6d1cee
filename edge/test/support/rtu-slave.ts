import { createServer, type Server, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import { hearsLine, observePtyLine, type SerialSettings } from '../../../firmware-sim/index.js';
import { RtuResponder } from './rtu-responder.js';

/**
 * Meters each left at its own line settings: a unit answers only when the master
 * opened its end of the pty pair (`masterPath`) with settings the unit hears.
 */
export interface UnitSettings {
  masterPath: string;
  of(unitId: number): SerialSettings | undefined;
}

/** Simulated meters on a serial line (one end of a pty pair). */
export class SerialRtuSlave {
  private port: SerialPort | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly responder: RtuResponder,
    private readonly path: string,
    private readonly settings?: UnitSettings,
  ) {}

  async start(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    port.on('data', (chunk: Buffer) => {
      this.queue = this.queue.then(async () => {
        const settings = this.settings;
        const observed = settings ? await observePtyLine(settings.masterPath) : undefined;
        const hears = (unitId: number) => {
          const own = settings?.of(unitId);
          return !own || (observed !== undefined && hearsLine(own, observed));
        };
        for (const answer of this.responder.feed(chunk, hears)) port.write(answer);
      });
    });
    port.on('error', () => undefined);
    this.port = port;
  }

  async stop(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

/** Simulated meters behind a transparent TCP→RS-485 converter: raw RTU frames over TCP. */
export class TcpRtuSlave {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(readonly responder: RtuResponder) {}

  async start(): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        // Split every answer in two writes: TCP does not keep frame boundaries.
        for (const answer of this.responder.feed(chunk)) {
          socket.write(answer.subarray(0, 3));
          setTimeout(() => socket.writable && socket.write(answer.subarray(3)), 2);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
