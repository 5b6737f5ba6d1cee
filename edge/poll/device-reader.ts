import type { DecodedReading } from '../../devices/index.js';
import type { EdgeError } from '../errors.js';

/** What a device poller needs of a polled device's config, whatever its protocol. */
export interface PolledDevice {
  id: string;
  profile: string;
  pollIntervalS: number;
  /** Overrides the bus' timeout for a slow device. */
  timeoutMs?: number | undefined;
}

/**
 * How one device is read: the protocol-specific part of a poll. The device poller
 * owns scheduling, retries, offline marking, status and publishing; a reader only
 * reads once and says what its errors mean.
 */
export interface DeviceReader {
  /** How the technician finds the device on its line (`unit 3`, `meter 000012345678`). */
  readonly label: string;
  /** One attempt at a whole reading, requests sent one after another; throws on failure. */
  read(timeoutMs: number, onTransaction: () => void): Promise<DecodedReading>;
  /** The coded error for whatever `read` threw. */
  codeError(error: unknown, where: string): EdgeError;
  /** Codes meaning the device said nothing at all: only these count towards offline. */
  isSilence(code: string): boolean;
  /** Codes not worth a retry: the device's considered answer, or a line that reopens on its own back-off. */
  isFinal(code: string): boolean;
}
