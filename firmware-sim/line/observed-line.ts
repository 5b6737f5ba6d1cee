import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { z } from 'zod';
import type { serialDefaultsSchema } from '../../devices/index.js';

export type SerialSettings = z.infer<typeof serialDefaultsSchema>;

/**
 * What a simulated meter can learn of the line settings a master opened its end of a
 * pseudo-terminal pair with: the baud rate, and nothing of the parity. The kernel
 * clears PARENB on every pty, and serialport leaves PARODD as it was when it opens a
 * port without parity, so even, odd and none cannot be told apart reliably there.
 */
export interface ObservedLine {
  baudRate: number;
}

const run = promisify(execFile);

/** The baud rate the other end of a pty pair was opened with, read with `stty -F`. */
export async function observePtyLine(path: string): Promise<ObservedLine | undefined> {
  try {
    const { stdout } = await run('stty', ['-F', path, 'speed']);
    const baudRate = Number(stdout.trim());
    return Number.isInteger(baudRate) && baudRate > 0 ? { baudRate } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a meter set to `meter` hears a master whose line looks like `observed` (see {@link ObservedLine}). */
export function hearsLine(meter: Pick<SerialSettings, 'baudRate'>, observed: ObservedLine): boolean {
  return meter.baudRate === observed.baudRate;
}
