import { decodeFirstFrame, type FrameScan } from '../frame-stream.js';
import { decodeDlt645Address } from './address.js';
import { hex, hexBytes, unscrambleData } from './bcd.js';
import { Dlt645Error } from './errors.js';
import { dlt645Checksum, FRAME_END, FRAME_OVERHEAD, FRAME_START, type Dlt645Frame } from './frame.js';

/** What lies at the first frame header in a run of bytes. */
export type Dlt645FrameScan = FrameScan<Dlt645Frame, Dlt645Error>;

const HEADER_BYTES = 10;

/**
 * Finds the first frame in `bytes` from `from` on. Anything before a `68 ·×6 68`
 * header (preamble, line noise, a half frame) is skipped. An incomplete candidate
 * does not hide a whole valid frame that starts inside it, so a stray 68 in noise
 * cannot stall the line until the next timeout.
 */
export function scanFrame(bytes: Uint8Array, from = 0): Dlt645FrameScan {
  for (
    let start = bytes.indexOf(FRAME_START, from);
    start !== -1;
    start = bytes.indexOf(FRAME_START, start + 1)
  ) {
    const result = frameAt(bytes, start);
    if (result === 'not-a-header') continue;
    if (result.kind === 'incomplete') {
      const later = scanFrame(bytes, start + 1);
      return later.kind === 'frame' ? later : result;
    }
    return result;
  }
  return { kind: 'none' };
}

function frameAt(
  bytes: Uint8Array,
  start: number,
): Exclude<Dlt645FrameScan, { kind: 'none' }> | 'not-a-header' {
  const available = bytes.length - start;
  if (available < 8) return { kind: 'incomplete', start };
  if (bytes[start + 7] !== FRAME_START) return 'not-a-header';
  if (available < HEADER_BYTES) return { kind: 'incomplete', start };
  const length = bytes[start + 9] as number;
  const total = FRAME_OVERHEAD + length;
  if (available < total) return { kind: 'incomplete', start };
  const invalid = (error: Dlt645Error) => ({ kind: 'invalid' as const, error, start });
  const end = bytes[start + total - 1] as number;
  if (end !== FRAME_END) {
    return invalid(
      new Dlt645Error('DLT645_BAD_END', `byte ${start + total - 1} (L=${length}) is 0x${hex(end)}, not 0x16`),
    );
  }
  const sent = bytes[start + total - 2] as number;
  const computed = dlt645Checksum(bytes.subarray(start, start + total - 2));
  if (sent !== computed) {
    return invalid(
      new Dlt645Error('DLT645_BAD_CHECKSUM', `frame says CS 0x${hex(sent)}, bytes sum to 0x${hex(computed)}`),
    );
  }
  try {
    const frame: Dlt645Frame = {
      address: decodeDlt645Address(bytes.subarray(start + 1, start + 7)),
      control: bytes[start + 8] as number,
      data: unscrambleData(bytes.subarray(start + HEADER_BYTES, start + HEADER_BYTES + length)),
    };
    return { kind: 'frame', frame, start, end: start + total };
  } catch (error) {
    if (error instanceof Dlt645Error) return invalid(error);
    throw error;
  }
}

/**
 * Decodes the first valid frame in a complete reply (preamble and leading noise
 * allowed, trailing bytes ignored). Throws a {@link Dlt645Error} naming what is wrong
 * when no valid frame is there: no header, a length that disagrees with the bytes,
 * a bad end byte or checksum, non-BCD address digits.
 */
export function decodeFrame(bytes: Uint8Array): Dlt645Frame {
  return decodeFirstFrame(bytes, scanFrame, {
    invalid: (all, start, error) => lengthMismatch(all, start) ?? error,
    truncated,
    none: (all) =>
      new Dlt645Error('DLT645_NO_FRAME', `no 68 … 68 header in ${all.length} bytes: ${preview(all)}`),
  });
}

/** A frame ending in 16 whose L disagrees with where it ends: say so rather than "bad end byte". */
function lengthMismatch(bytes: Uint8Array, start: number): Dlt645Error | undefined {
  if (bytes[bytes.length - 1] !== FRAME_END || bytes.length - start < FRAME_OVERHEAD) return undefined;
  const declared = bytes[start + 9] as number;
  const actual = bytes.length - start - FRAME_OVERHEAD;
  if (actual === declared) return undefined;
  return new Dlt645Error('DLT645_BAD_LENGTH', `L says ${declared} data bytes, the frame holds ${actual}`);
}

function truncated(bytes: Uint8Array, start: number): Dlt645Error {
  const available = bytes.length - start;
  if (available < HEADER_BYTES) {
    return new Dlt645Error('DLT645_BAD_LENGTH', `frame cut off after ${available} bytes: ${preview(bytes)}`);
  }
  const declared = bytes[start + 9] as number;
  return new Dlt645Error(
    'DLT645_BAD_LENGTH',
    `L says ${declared} data bytes (${FRAME_OVERHEAD + declared} bytes in all), only ${available} arrived`,
  );
}

function preview(bytes: Uint8Array): string {
  return bytes.length > 32 ? `${hexBytes(bytes.subarray(0, 32))} …` : hexBytes(bytes);
}
