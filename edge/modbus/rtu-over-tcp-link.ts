import { ModbusRTU, disposeClient } from './modbus-client.js';
import type { ModbusLink } from './modbus-link.js';
import { RtuSocketPort } from './rtu-socket-port.js';
import type { TcpEndpoint } from './tcp-link.js';

/** Raw RTU frames through a transparent TCP→RS-485 converter. */
export function rtuOverTcpLink(endpoint: TcpEndpoint): ModbusLink {
  return {
    description: `rtu+tcp://${endpoint.host}:${endpoint.port}`,
    open() {
      const port = new RtuSocketPort(endpoint.host, endpoint.port, endpoint.connectTimeoutMs);
      const client = new ModbusRTU(port);
      client.on('error', () => undefined);
      return new Promise<InstanceType<typeof ModbusRTU>>((resolve, reject) => {
        client.open((error: Error | null | undefined) => {
          if (error) {
            port.destroy();
            reject(error);
          } else resolve(client);
        });
      });
    },
    dispose: (client) => disposeClient(client, 'close'),
  };
}
