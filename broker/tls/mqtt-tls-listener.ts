import type { AddressInfo, Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { Component, Logger } from '../../runtime/index.js';
import type { BrokerTlsConfig } from './tls-config.js';
import { tlsServerOptions } from './tls-server-options.js';

export interface MqttTlsListenerOptions {
  tls: BrokerTlsConfig;
  /** Gets each socket once its handshake succeeded, as the plain listener gets its sockets. */
  accept: (socket: TLSSocket) => void;
  /** Decides on each raw socket before its handshake; false closes it. */
  admit?: (socket: Socket) => boolean;
  logger: Logger;
  /** A handshake failed: plain MQTT on this port, an untrusted or missing client certificate, a scanner. */
  onHandshakeFailure?: () => void;
}

/** The MQTT-over-TLS listener; owns its server and every raw socket, handshaking or not. */
export class MqttTlsListener implements Component {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private bound: AddressInfo | undefined;

  constructor(private readonly options: MqttTlsListenerOptions) {}

  get port(): number {
    return this.bound?.port ?? 0;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  async start(): Promise<void> {
    const { tls, accept, logger } = this.options;
    const server = createServer(tlsServerOptions(tls), accept);
    this.server = server;
    server.on('connection', (socket: Socket) => {
      if (this.options.admit && !this.options.admit(socket)) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('tlsClientError', (error, socket) => {
      this.options.onHandshakeFailure?.();
      logger.debug({ remote: socket.remoteAddress, err: error }, 'TLS handshake failed');
      socket.destroy();
    });
    this.bound = await new Promise<AddressInfo>((resolve, reject) => {
      server.once('error', reject);
      server.listen(tls.port, tls.host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.bound = undefined;
    if (!server) return;
    const closed = server.listening
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : Promise.resolve();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}
