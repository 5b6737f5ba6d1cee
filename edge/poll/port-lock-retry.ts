import { setTimeout as delay } from 'node:timers/promises';

const RETRY_EVERY_MS = 100;
const ATTEMPTS = 20;

/**
 * Opens a serial port, waiting up to 2 s while another handle holds its lock: our own
 * previous handle still closing on libuv's pool (a scan switching baud rate), or
 * ModemManager probing a USB adapter just plugged in. Past that the open fails with the
 * port's own "Cannot lock port" error, which names the cause to the technician.
 */
export async function openWhenUnlocked<T>(open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (attempt >= ATTEMPTS || !isPortLocked(error)) throw error;
      await delay(RETRY_EVERY_MS);
    }
  }
}

function isPortLocked(error: unknown): boolean {
  return error instanceof Error && error.message.includes('Cannot lock port');
}
