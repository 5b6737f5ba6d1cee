import ModbusSerial from 'modbus-serial';

// modbus-serial is CommonJS: under NodeNext its class is the default import's `default`.
export const ModbusRTU = ModbusSerial.default;
export type ModbusRTU = InstanceType<typeof ModbusRTU>;

/** Closes a client whatever state it is in; never throws. */
export function disposeClient(client: ModbusRTU, how: 'destroy' | 'close'): Promise<void> {
  return new Promise((resolve) => {
    try {
      if (how === 'destroy') client.destroy(() => resolve());
      else client.close(() => resolve());
    } catch {
      resolve(); // already gone
    }
  });
}

/**
 * Forgets bytes left in modbus-serial's RTU receive buffer (a late answer, line noise)
 * so they cannot be taken for the next answer. The buffered serial port has no public
 * way to do this, so its internal buffer is reset when it is there.
 */
export function discardReceived(client: ModbusRTU): void {
  const port = (client as unknown as { _port?: { _buffer?: unknown } })._port;
  if (port && Buffer.isBuffer(port._buffer)) port._buffer = Buffer.alloc(0);
}
