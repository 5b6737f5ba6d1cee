import {
  decodeReading,
  RegisterImage,
  type DecodedReading,
  type ModbusProfile,
  type ReadBlock,
} from '../../devices/index.js';
import type { ModbusTransport } from './modbus-transport.js';

export interface DeviceReading extends DecodedReading {
  transactions: number;
  /** The words each block returned, for the technician's `probe --raw`. */
  blocks: Array<{ block: ReadBlock; words: number[] }>;
}

/**
 * Reads every planned block of one device and decodes it. The first failing block
 * ends the poll: a meter that does not answer one block will not answer the next, and
 * giving up at once bounds what a dead meter costs its bus to one timeout.
 */
export async function readDevice(
  transport: ModbusTransport,
  profile: ModbusProfile,
  plan: readonly ReadBlock[],
  unitId: number,
  timeoutMs: number,
  onTransaction: () => void,
): Promise<DeviceReading> {
  const blocks: Array<{ block: ReadBlock; words: number[] }> = [];
  for (const block of plan) {
    onTransaction();
    blocks.push({ block, words: await transport.read(unitId, block, timeoutMs) });
  }
  const { values, errors } = decodeReading(profile, RegisterImage.fromBlocks(blocks));
  return { values, errors, transactions: blocks.length, blocks };
}
