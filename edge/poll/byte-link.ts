import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { openWhenUnlocked } from './port-lock-retry.js';

/**
 * How a line of byte-framed meters (DL/T 645, CJ/T 188) is reached: a byte stream to
 * open, and to close again.
 */
export interface ByteLink {
  readonly description: string;
  /** Opens the line; rejects when the port or host cannot be reached. */
  open(): Promise<Duplex>;
  /** Closes the stream; resolves once the port or socket is released. */
  dispose(stream: Duplex): Promise<void>;
}

export interface SerialLineSettings {
  path: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

/** A local RS-485 port (USB adapter, HAT); `scheme` names the protocol in descriptions (`dlt645`). */
export function serialByteLink(scheme: string, line: SerialLineSettings): ByteLink {
  const framing = `${line.baudRate} ${line.dataBits}${line.parity[0]?.toUpperCase()}${line.stopBits}`;
  return {
    description: `${scheme}+serial://${line.path} ${framing}`,
    open: () =>
      openWhenUnlocked(async () => {
        const { path, baudRate, parity, dataBits, stopBits } = line;
        const port = new SerialPort({ path, baudRate, parity, dataBits, stopBits, autoOpen: false });
        await new Promise<void>((resolve, reject) =>
          port.open((error) => (error ? reject(error) : resolve())),
        );
        return port;
      }),
    dispose(stream) {
      const port = stream as SerialPort;
      if (!port.isOpen) {
        port.destroy();
        return Promise.resolve();
      }
      return new Promise((resolve) => port.close(() => resolve()));
    },
  };
}

export interface TcpEndpoint {
  host: string;
  port: number;
  connectTimeoutMs: number;
}

/** A transparent TCP→RS-485 converter: the meters' raw frames both ways. */
export function tcpByteLink(scheme: string, endpoint: TcpEndpoint): ByteLink {
  return {
    description: `${scheme}+tcp://${endpoint.host}:${endpoint.port}`,
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
    dispose: (stream) => {
      stream.destroy();
      return Promise.resolve();
    },
  };
}
