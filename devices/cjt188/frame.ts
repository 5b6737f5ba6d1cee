import { byteSum } from '../frame-stream.js';
import { encodeCjt188Address } from './address.js';
import { Cjt188Error } from './errors.js';

/**
 * One CJ/T 188 frame: `68 T A0..A6 C L DATA CS 16`, optionally preceded by `FE`
 * wake-up bytes. Unlike DL/T 645 there is no second 68 and no 0x33 offset on the data.
 */
export interface Cjt188Frame {
  /** Meter type T (0x10 cold water; see CJT188_METER_TYPES). */
  meterType: number;
  /** Printed form, 14 digits most significant first (see address.ts). */
  address: string;
  control: number;
  data: Buffer;
}

export const CJT188_FRAME_START = 0x68;
export const CJT188_FRAME_END = 0x16;
export const CJT188_PREAMBLE_BYTE = 0xfe;
/** 68, T, seven address bytes, C, L. */
export const CJT188_HEADER_BYTES = 11;
/** The header plus CS and 16. */
export const CJT188_FRAME_OVERHEAD = 13;
/** Wake-up bytes a master sends first unless the profile says otherwise. */
export const CJT188_PREAMBLE_BYTES = 2;
/** L is one byte; meters use far less (the 901F reply carries 22). */
export const CJT188_MAX_DATA_BYTES = 255;

export interface Cjt188EncodeOptions {
  /** How many `FE` bytes to send first; {@link CJT188_PREAMBLE_BYTES} unless told. */
  preambleBytes?: number;
}

/** CS: the sum of every byte from 68 through the last data byte, modulo 256. */
export const cjt188Checksum: (bytes: Uint8Array) => number = byteSum;

export function encodeCjt188Frame(frame: Cjt188Frame, options: Cjt188EncodeOptions = {}): Buffer {
  if (frame.data.length > CJT188_MAX_DATA_BYTES) {
    throw new Cjt188Error(
      'CJT188_BAD_LENGTH',
      `${frame.data.length} data bytes exceed ${CJT188_MAX_DATA_BYTES}`,
    );
  }
  const preamble = Buffer.alloc(options.preambleBytes ?? CJT188_PREAMBLE_BYTES, CJT188_PREAMBLE_BYTE);
  const body = Buffer.concat([
    Buffer.from([CJT188_FRAME_START, frame.meterType & 0xff]),
    encodeCjt188Address(frame.address),
    Buffer.from([frame.control & 0xff, frame.data.length]),
    frame.data,
  ]);
  return Buffer.concat([preamble, body, Buffer.from([cjt188Checksum(body), CJT188_FRAME_END])]);
}
