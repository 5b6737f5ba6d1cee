import type { ReadBlock } from '../../devices/index.js';

/**
 * One Modbus line as the poller sees it. The poller guarantees one call at a time per
 * transport (a serial line cannot do more), so a transport needs no queue of its own.
 * Implementations reconnect by themselves and throw CodedErrors: MODBUS_TIMEOUT,
 * MODBUS_EXCEPTION, MODBUS_CONNECT. Modbus TCP now; RS-485 (RTU) slots in beside it.
 */
export interface ModbusTransport {
  readonly description: string;
  /** Reads one block: FC 03 for `holding`, FC 04 for `input`. Returns the words read. */
  read(unitId: number, block: ReadBlock, timeoutMs: number): Promise<number[]>;
  close(): Promise<void>;
}
