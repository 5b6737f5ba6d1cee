import { FrameStreamReader, type FrameReaderOutput } from '../frame-stream.js';
import type { Dlt645Error } from './errors.js';
import { FRAME_OVERHEAD, type Dlt645Frame } from './frame.js';
import { scanFrame } from './frame-decode.js';

export type Dlt645ReaderOutput = FrameReaderOutput<Dlt645Frame, Dlt645Error>;

/** Longest run of bytes worth keeping: one maximal frame and some wake-up bytes. */
const MAX_PENDING = FRAME_OVERHEAD + 255 + 16;

/** Cuts a DL/T 645 byte stream into frames (see {@link FrameStreamReader}). */
export class Dlt645FrameReader extends FrameStreamReader<Dlt645Frame, Dlt645Error> {
  constructor() {
    super(scanFrame, MAX_PENDING);
  }
}
