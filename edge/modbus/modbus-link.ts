import type { ModbusRTU } from './modbus-client.js';

/** How a transport reaches its line: opening a client, and closing it again. */
export interface ModbusLink {
  readonly description: string;
  /** Opens a new client; rejects when the port or host cannot be reached. */
  open(): Promise<ModbusRTU>;
  /** Closes the client; resolves once its port or socket is released. */
  dispose(client: ModbusRTU): Promise<void>;
  /** Called before each request: a serial link drops stale received bytes. */
  beforeRequest?(client: ModbusRTU): void;
}
