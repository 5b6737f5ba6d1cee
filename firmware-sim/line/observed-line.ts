import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { z } from 'zod';
import type { serialDefaultsSchema } from '../../devices/index.js';

export type SerialSettings = z.infer<typeof serialDefaultsSchema>;

/**
 * What a simulated meter can learn of the line settings a master opened its end of a
 * pseudo-terminal pair with. A pty keeps the baud rate and PARODD, but the kernel
 * clears PARENB and forces 8 data bits on every pty, so even parity and no parity look
 * the same: a simulated meter can tell 9600 from 2400 and odd from not-odd, no more.
 */
export interface ObservedLine {
  baudRate: number;
  odd: boolean;
}

const run = promisify(execFile);

/** The settings the other end of a pty pair was opened with, read with `stty -F`. */
export async function observePtyLine(path: string): Promise<ObservedLine | undefined> {
  try {
    const { stdout } = await run('stty', ['-F', path, '-a']);
    const speed = /speed (\d+) baud/.exec(stdout);
    if (!speed) return undefined;
    return { baudRate: Number(speed[1]), odd: /(?:^|\s)parodd(?:\s|$)/.test(stdout) };
  } catch {
    return undefined;
  }
}

/** Whether a meter set to `meter` hears a master whose line looks like `observed` (see {@link ObservedLine}). */
export function hearsLine(
  meter: Pick<SerialSettings, 'baudRate' | 'parity'>,
  observed: ObservedLine,
): boolean {
  return meter.baudRate === observed.baudRate && (meter.parity === 'odd') === observed.odd;
}
