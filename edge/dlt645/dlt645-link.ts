import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';

/** How a DL/T 645 line is reached: a byte stream to open, and to close again. */
export interface Dlt645Link {
  readonly description: string;
  /** Opens the line; rejects when the port or host cannot be reached. */
  open(): Promise<Duplex>;
  dispose(stream: Duplex): void;
}

export interface Dlt645SerialLine {
  path: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

/** A local RS-485 port (USB adapter, HAT). */
export function serialDlt645Link(line: Dlt645SerialLine): Dlt645Link {
  const framing = `${line.baudRate} ${line.dataBits}${line.parity[0]?.toUpperCase()}${line.stopBits}`;
  return {
    description: `dlt645+serial://${line.path} ${framing}`,
    async open() {
      const { path, baudRate, parity, dataBits, stopBits } = line;
      const port = new SerialPort({ path, baudRate, parity, dataBits, stopBits, autoOpen: false });
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
      return port;
    },
    dispose(stream) {
      const port = stream as SerialPort;
      if (port.isOpen) port.close(() => undefined);
      else port.destroy();
    },
  };
}

export interface Dlt645TcpEndpoint {
  host: string;
  port: number;
  connectTimeoutMs: number;
}

/** A transparent TCP→RS-485 converter: raw DL/T 645 frames both ways. */
export function tcpDlt645Link(endpoint: Dlt645TcpEndpoint): Dlt645Link {
  return {
    description: `dlt645+tcp://${endpoint.host}:${endpoint.port}`,
    open() {
      return new Promise<Duplex>((resolve, reject) => {
        const socket = new Socket();
        const fail = (error: Error) => {
          clearTimeout(timer);
          socket.destroy();
          reject(error);
        };
        const timer = setTimeout(
          () => fail(new Error(`connect timed out after ${endpoint.connectTimeoutMs} ms`)),
          endpoint.connectTimeoutMs,
        );
        socket.once('error', fail);
        socket.connect({ host: endpoint.host, port: endpoint.port }, () => {
          clearTimeout(timer);
          socket.removeListener('error', fail);
          socket.setNoDelay(true);
          resolve(socket);
        });
      });
    },
    dispose: (stream) => stream.destroy(),
  };
}
