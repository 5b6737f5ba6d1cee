import { ModbusRTU, disposeClient } from './modbus-client.js';
import type { ModbusLink } from './modbus-link.js';

export interface TcpEndpoint {
  host: string;
  port: number;
  connectTimeoutMs: number;
}

/** Modbus TCP (MBAP framing): a meter with Ethernet, or a serial server in Modbus TCP mode. */
export function tcpLink(endpoint: TcpEndpoint): ModbusLink {
  return {
    description: `tcp://${endpoint.host}:${endpoint.port}`,
    async open() {
      const client = new ModbusRTU();
      client.on('error', () => undefined);
      try {
        await client.connectTCP(endpoint.host, { port: endpoint.port, timeout: endpoint.connectTimeoutMs });
      } catch (error) {
        await disposeClient(client, 'destroy');
        throw error;
      }
      return client;
    },
    dispose: (client) => disposeClient(client, 'destroy'),
  };
}
