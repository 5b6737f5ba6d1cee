import type { Dlt645Profile } from '../../devices/index.js';
import type { DeviceReader } from '../poll/device-reader.js';
import { isDlt645Silence, toDlt645Error } from './dlt645-error.js';
import type { Dlt645Transport } from './dlt645-transport.js';
import { readDlt645Meter } from './read-meter.js';

/** Reads a DL/T 645 meter: one request per profile item, to its nameplate address. */
export function dlt645DeviceReader(
  transport: Dlt645Transport,
  profile: Dlt645Profile,
  address: string,
): DeviceReader {
  return {
    label: `meter ${address}`,
    read: (timeoutMs, onTransaction) =>
      readDlt645Meter(transport, profile, address, timeoutMs, onTransaction),
    codeError: toDlt645Error,
    isSilence: isDlt645Silence,
    // A refusal is the meter's considered answer; a lost line reopens on its own back-off.
    isFinal: (code) => code === 'DLT645_ERROR_REPLY' || code === 'DLT645_CONNECT',
  };
}
