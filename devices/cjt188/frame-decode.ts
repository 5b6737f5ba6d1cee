import { hex, hexBytes } from '../bcd.js';
import {
  decodeFirstFrame,
  FrameStreamReader,
  type FrameReaderOutput,
  type FrameScan,
} from '../frame-stream.js';
import { decodeCjt188Address } from './address.js';
import { Cjt188Error } from './errors.js';
import {
  cjt188Checksum,
  CJT188_FRAME_END,
  CJT188_FRAME_OVERHEAD,
  CJT188_FRAME_START,
  CJT188_HEADER_BYTES,
  type Cjt188Frame,
} from './frame.js';

export type Cjt188FrameScan = FrameScan<Cjt188Frame, Cjt188Error>;

/**
 * Finds the first frame in `bytes` from `from` on. A CJ/T 188 header is only `68`
 * followed by ten bytes, so any 68 in noise starts a candidate: an incomplete
 * candidate never hides a whole valid frame that starts inside it.
 */
export function scanCjt188Frame(bytes: Uint8Array, from = 0): Cjt188FrameScan {
  for (
    let start = bytes.indexOf(CJT188_FRAME_START, from);
    start !== -1;
    start = bytes.indexOf(CJT188_FRAME_START, start + 1)
  ) {
    const result = frameAt(bytes, start);
    if (result.kind === 'incomplete') {
      const later = scanCjt188Frame(bytes, start + 1);
      return later.kind === 'frame' ? later : result;
    }
    return result;
  }
  return { kind: 'none' };
}

function frameAt(bytes: Uint8Array, start: number): Exclude<Cjt188FrameScan, { kind: 'none' }> {
  const available = bytes.length - start;
  if (available < CJT188_HEADER_BYTES) return { kind: 'incomplete', start };
  const length = bytes[start + 10] as number;
  const total = CJT188_FRAME_OVERHEAD + length;
  if (available < total) return { kind: 'incomplete', start };
  const invalid = (error: Cjt188Error) => ({ kind: 'invalid' as const, error, start });
  const end = bytes[start + total - 1] as number;
  if (end !== CJT188_FRAME_END) {
    return invalid(
      new Cjt188Error('CJT188_BAD_END', `byte ${start + total - 1} (L=${length}) is 0x${hex(end)}, not 0x16`),
    );
  }
  const sent = bytes[start + total - 2] as number;
  const computed = cjt188Checksum(bytes.subarray(start, start + total - 2));
  if (sent !== computed) {
    return invalid(
      new Cjt188Error('CJT188_BAD_CHECKSUM', `frame says CS 0x${hex(sent)}, bytes sum to 0x${hex(computed)}`),
    );
  }
  try {
    const frame: Cjt188Frame = {
      meterType: bytes[start + 1] as number,
      address: decodeCjt188Address(bytes.subarray(start + 2, start + 9)),
      control: bytes[start + 9] as number,
      data: Buffer.from(bytes.subarray(start + CJT188_HEADER_BYTES, start + CJT188_HEADER_BYTES + length)),
    };
    return { kind: 'frame', frame, start, end: start + total };
  } catch (error) {
    if (error instanceof Cjt188Error) return invalid(error);
    throw error;
  }
}

/**
 * Decodes the first valid frame in a complete reply (preamble and leading noise
 * allowed, trailing bytes ignored), or throws a {@link Cjt188Error} naming the first
 * thing wrong: no 68, a frame cut short, a bad end byte or checksum, a non-BCD address.
 */
export function decodeCjt188Frame(bytes: Uint8Array): Cjt188Frame {
  return decodeFirstFrame(bytes, scanCjt188Frame, {
    truncated,
    none: (all) => new Cjt188Error('CJT188_NO_FRAME', `no 68 in ${all.length} bytes: ${preview(all)}`),
  });
}

function truncated(bytes: Uint8Array, start: number): Cjt188Error {
  const available = bytes.length - start;
  if (available < CJT188_HEADER_BYTES) {
    return new Cjt188Error('CJT188_BAD_LENGTH', `frame cut off after ${available} bytes: ${preview(bytes)}`);
  }
  const declared = bytes[start + 10] as number;
  return new Cjt188Error(
    'CJT188_BAD_LENGTH',
    `L says ${declared} data bytes (${CJT188_FRAME_OVERHEAD + declared} bytes in all), only ${available} arrived`,
  );
}

function preview(bytes: Uint8Array): string {
  return bytes.length > 32 ? `${hexBytes(bytes.subarray(0, 32))} …` : hexBytes(bytes);
}

export type Cjt188ReaderOutput = FrameReaderOutput<Cjt188Frame, Cjt188Error>;

/** Cuts a CJ/T 188 byte stream into frames (see {@link FrameStreamReader}). */
export class Cjt188FrameReader extends FrameStreamReader<Cjt188Frame, Cjt188Error> {
  constructor() {
    super(scanCjt188Frame, CJT188_FRAME_OVERHEAD + 255 + 16);
  }
}
