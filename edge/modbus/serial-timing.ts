import type { SerialLineConfig } from '../config/edge-config-schema.js';

/** Bits one character takes on the wire: start bit, data bits, parity bit if any, stop bits. */
export function bitsPerCharacter(line: Pick<SerialLineConfig, 'dataBits' | 'parity' | 'stopBits'>): number {
  return 1 + line.dataBits + (line.parity === 'none' ? 0 : 1) + line.stopBits;
}

/**
 * Modbus over serial line, 2.5.1.1: frames are separated by at least 3.5 character
 * times; above 19200 baud a fixed 1.75 ms is recommended. A configured delay below that
 * minimum is raised to it, because a shorter gap makes meters merge two frames.
 */
export function interFrameDelayMs(line: SerialLineConfig): number {
  const minimum = line.baudRate > 19_200 ? 1.75 : (3.5 * bitsPerCharacter(line) * 1000) / line.baudRate;
  return Math.max(minimum, line.interFrameDelayMs ?? 0);
}
