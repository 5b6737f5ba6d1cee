import { byteSum } from '../frame-stream.js';
import { encodeDlt645Address } from './address.js';
import { scrambleData } from './bcd.js';
import { Dlt645Error } from './errors.js';

/**
 * One DL/T 645 frame: `68 A0..A5 68 C L DATA CS 16`, optionally preceded by `FE`
 * wake-up bytes. DATA travels with 0x33 added to every byte; here it is held as meant.
 */
export interface Dlt645Frame {
  /** Nameplate form, 12 digits most significant first (see address.ts). */
  address: string;
  control: number;
  /** The data field with the 0x33 offset already removed. */
  data: Buffer;
}

export const FRAME_START = 0x68;
export const FRAME_END = 0x16;
export const PREAMBLE_BYTE = 0xfe;
/** `FE FE FE FE`: wakes a meter's receiver before the frame. */
export const DLT645_PREAMBLE_BYTES = 4;
/** 68, six address bytes, 68, C, L, CS, 16. */
export const FRAME_OVERHEAD = 12;
/** DL/T 645-2007: a read-data frame carries at most 200 data bytes. */
export const DLT645_MAX_DATA_BYTES = 200;

export interface Dlt645EncodeOptions {
  /** How many `FE` bytes to send first; 4 unless told. */
  preambleBytes?: number;
}

/** CS: the sum of every byte from the first 68 through the last data byte, modulo 256. */
export const dlt645Checksum: (bytes: Uint8Array) => number = byteSum;

export function encodeFrame(frame: Dlt645Frame, options: Dlt645EncodeOptions = {}): Buffer {
  if (frame.data.length > DLT645_MAX_DATA_BYTES) {
    throw new Dlt645Error(
      'DLT645_BAD_LENGTH',
      `${frame.data.length} data bytes exceed ${DLT645_MAX_DATA_BYTES}`,
    );
  }
  const preamble = Buffer.alloc(options.preambleBytes ?? DLT645_PREAMBLE_BYTES, PREAMBLE_BYTE);
  const body = Buffer.concat([
    Buffer.from([FRAME_START]),
    encodeDlt645Address(frame.address),
    Buffer.from([FRAME_START, frame.control & 0xff, frame.data.length]),
    scrambleData(frame.data),
  ]);
  return Buffer.concat([preamble, body, Buffer.from([dlt645Checksum(body), FRAME_END])]);
}
