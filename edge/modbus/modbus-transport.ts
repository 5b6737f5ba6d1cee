import type { ReadBlock } from '../../devices/index.js';

/**
 * One Modbus line as the poller sees it. The bus scheduler decides how many calls run
 * at once (one on a serial line). Implementations reopen by themselves and throw
 * EdgeErrors: MODBUS_TIMEOUT, MODBUS_EXCEPTION, MODBUS_BAD_FRAME, MODBUS_CONNECT.
 */
export interface ModbusTransport {
  readonly description: string;
  /** Reads one block: FC 03 for `holding`, FC 04 for `input`. Returns the words read. */
  read(unitId: number, block: ReadBlock, timeoutMs: number): Promise<number[]>;
  /** Writes holding registers from `start` (FC 16), for the technician's set-address. */
  write(unitId: number, start: number, words: readonly number[], timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}
