import { createConnection, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { MqttClient, type IClientOptions, type IPublishPacket } from 'mqtt';
import { mqttServers, type MqttServer } from './mqtt-failover.js';
import { MqttPublishReader } from './mqtt-publish-reader.js';
import { MqttPublishTap } from './mqtt-publish-tap.js';

export interface TappedClientOptions {
  url: string;
  /** Other nodes of the broker cluster, tried in turn after `url` (see `mqttFailoverServers`). */
  failoverUrls?: readonly string[];
  /** mqtt.js' options for the session (client id, credentials, keepalive, reconnect period, …). */
  client: IClientOptions;
  /**
   * Called with each connection's tap as mqtt.js opens it, before any byte can arrive; returns
   * what takes that connection's PUBLISH packets.
   */
  onConnection: (tap: MqttPublishTap) => (packet: IPublishPacket) => void;
}

/**
 * An mqtt.js client (public `MqttClient` constructor) whose connections are `MqttPublishTap`s:
 * mqtt.js keeps the session (CONNECT, SUBSCRIBE, keepalive, reconnects, its own publishes)
 * and the caller takes the PUBLISH packets it receives and acknowledges them itself.
 * Each (re)connection attempt takes the next server in turn, the primary first, as
 * mqtt.js' `servers` option does; `mqtts:` connects over TLS, checking the broker's
 * certificate against the system's CAs and its name (`TAPPED_CLIENT_PROTOCOLS`: no WebSocket).
 */
export function connectTapped(options: TappedClientOptions): MqttClient {
  const servers = mqttServers(options.url, options.failoverUrls ?? []);
  // One reader for every connection, so a topic's string is shared across reconnects too.
  const reader = new MqttPublishReader();
  let attempt = 0;
  const streamBuilder = (): MqttPublishTap => {
    const server = servers[attempt++ % servers.length] as MqttServer;
    const socket = openSocket(server);
    // No byte can arrive before `onConnection` returns: the socket is only being opened.
    const tap = new MqttPublishTap(socket, reader, (packet) => take(packet));
    const take = options.onConnection(tap);
    return tap;
  };
  const client = new MqttClient(streamBuilder, { ...options.client, protocolVersion: 4 });
  // As mqtt.connect() does: an error with no listener of the caller's must not end the process.
  client.on('error', () => undefined);
  return client;
}

type Opener = (host: string, port: number) => Socket;

const openTcp: Opener = (host, port) => createConnection({ host, port });
const openTls: Opener = (host, port) =>
  connectTls({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}) });

const OPENERS = { mqtt: openTcp, tcp: openTcp, mqtts: openTls } satisfies Partial<
  Record<MqttServer['protocol'], Opener>
>;

/** The broker URL protocols `connectTapped` can open (TCP or TLS, not WebSocket): what a config may accept. */
export const TAPPED_CLIENT_PROTOCOLS = Object.keys(OPENERS) as ReadonlyArray<keyof typeof OPENERS>;

function openSocket({ host, port, protocol }: MqttServer): Socket {
  const open = (OPENERS as Partial<Record<string, Opener>>)[protocol];
  if (!open) {
    const supported = TAPPED_CLIENT_PROTOCOLS.map((name) => `${name}:`).join(', ');
    throw new Error(`MQTT over ${protocol} is not supported here: use ${supported}`);
  }
  return open(host, port);
}
