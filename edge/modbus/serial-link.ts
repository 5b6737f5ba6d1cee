import type { SerialLineConfig } from '../config/edge-config-schema.js';
import { ModbusRTU, discardReceived, disposeClient } from './modbus-client.js';
import type { ModbusLink } from './modbus-link.js';
import { openWhenUnlocked } from '../poll/port-lock-retry.js';

/** RS-485 on a local serial port, through modbus-serial's buffered RTU port. */
export function serialLink(path: string, line: SerialLineConfig): ModbusLink {
  const framing = `${line.baudRate} ${line.dataBits}${line.parity[0]?.toUpperCase()}${line.stopBits}`;
  return {
    description: `rtu://${path} ${framing}`,
    open: () =>
      openWhenUnlocked(async () => {
        const client = new ModbusRTU();
        client.on('error', () => undefined);
        try {
          await client.connectRTUBuffered(path, {
            baudRate: line.baudRate,
            parity: line.parity,
            dataBits: line.dataBits,
            stopBits: line.stopBits,
          });
        } catch (error) {
          await disposeClient(client, 'close');
          throw error;
        }
        return client;
      }),
    // The buffered RTU port has no destroy(): only close() releases the device file.
    dispose: (client) => disposeClient(client, 'close'),
    beforeRequest: discardReceived,
  };
}
