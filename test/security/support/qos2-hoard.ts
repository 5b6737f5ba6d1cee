import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import mqttPacket from 'mqtt-packet';

export interface Qos2HoardOptions {
  port: number;
  clientId: string;
  username: string;
  password: string;
  topic: string;
  /** QoS 2 PUBLISHes sent once the CONNACK accepts, with packet ids from `firstId`. */
  count: number;
  firstId: number;
  payloadBytes: number;
}

export interface Qos2HoardResult {
  /** PUBRECs the broker sent: the messages it took and now keeps until their PUBREL. */
  pubrecs: number;
  sessionPresent: boolean;
  /** The connection ended before every PUBLISH was answered (the broker closed it, or refused the CONNECT). */
  closed: boolean;
}

/**
 * One raw connection asking for a persistent session that sends QoS 2 PUBLISHes and never
 * a PUBREL, then hangs up once each is answered: what a client hoarding the broker's memory
 * or disk does, without a client library's acknowledgements.
 */
export function hoardQos2(options: Qos2HoardOptions): Promise<Qos2HoardResult> {
  const { count, firstId } = options;
  return new Promise((resolve) => {
    const socket = connect({ port: options.port, host: '127.0.0.1' });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const result: Qos2HoardResult = { pubrecs: 0, sessionPresent: false, closed: false };
    const done = () => {
      socket.destroy();
      resolve(result);
    };
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connack') {
        if (packet.returnCode !== 0) return done();
        result.sessionPresent = packet.sessionPresent;
        for (let i = 0; i < count; i++) {
          socket.write(
            mqttPacket.generate({
              cmd: 'publish',
              qos: 2,
              dup: false,
              retain: false,
              messageId: firstId + i,
              topic: options.topic,
              payload: randomBytes(options.payloadBytes),
            }),
          );
        }
      }
      if (packet.cmd === 'pubrec' && ++result.pubrecs === count) done();
    });
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      result.closed = result.pubrecs < count;
      resolve(result);
    });
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: false,
        clientId: options.clientId,
        keepalive: 60,
        username: options.username,
        password: Buffer.from(options.password),
      }),
    );
  });
}
