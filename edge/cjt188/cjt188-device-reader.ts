import type { Cjt188Profile } from '../../devices/index.js';
import type { DeviceReader } from '../poll/device-reader.js';
import { isCjt188Silence, toCjt188Error } from './cjt188-error.js';
import type { Cjt188Transport } from './cjt188-transport.js';
import { readCjt188Meter } from './read-meter.js';

/** Reads a CJ/T 188 water meter at its printed address. */
export function cjt188DeviceReader(
  transport: Cjt188Transport,
  profile: Cjt188Profile,
  address: string,
): DeviceReader {
  return {
    label: `meter ${address}`,
    read: (timeoutMs, onTransaction) =>
      readCjt188Meter(transport, profile, address, timeoutMs, onTransaction),
    codeError: toCjt188Error,
    isSilence: isCjt188Silence,
    isFinal: (code) => code === 'CJT188_ERROR_REPLY' || code === 'CJT188_CONNECT',
  };
}
