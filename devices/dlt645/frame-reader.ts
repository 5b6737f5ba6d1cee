import type { Dlt645Error } from './errors.js';
import { FRAME_OVERHEAD, type Dlt645Frame } from './frame.js';
import { scanFrame } from './frame-decode.js';

export type Dlt645ReaderOutput = { frame: Dlt645Frame } | { error: Dlt645Error };

/** Longest run of bytes worth keeping: one maximal frame and some wake-up bytes. */
const MAX_PENDING = FRAME_OVERHEAD + 255 + 16;

/**
 * Cuts a serial byte stream into frames. Bytes arrive in arbitrary chunks (a UART
 * delivers a frame in pieces; two frames may share a chunk); noise between frames
 * is dropped, a broken frame is reported and scanning resumes one byte after its
 * start, so one bad frame never desynchronises the line.
 */
export class Dlt645FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  private skipped = 0;

  /** Bytes dropped as noise (preamble included) since the reader was made. */
  get skippedBytes(): number {
    return this.skipped;
  }

  push(chunk: Uint8Array): Dlt645ReaderOutput[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const outputs: Dlt645ReaderOutput[] = [];
    for (;;) {
      const scan = scanFrame(this.pending);
      if (scan.kind === 'frame') {
        outputs.push({ frame: scan.frame });
        this.drop(scan.start, scan.end);
      } else if (scan.kind === 'invalid') {
        outputs.push({ error: scan.error });
        this.drop(scan.start + 1, scan.start + 1);
      } else if (scan.kind === 'incomplete') {
        this.drop(scan.start, scan.start);
        if (this.pending.length > MAX_PENDING) this.drop(1, 1);
        else break;
      } else {
        this.drop(this.pending.length, this.pending.length);
        break;
      }
    }
    return outputs;
  }

  /** Forgets a half-received frame, as a master does after its reply timeout. */
  reset(): void {
    this.skipped += this.pending.length;
    this.pending = Buffer.alloc(0);
  }

  /** Drops the noise before `noiseEnd`, and everything up to `consumedEnd`. */
  private drop(noiseEnd: number, consumedEnd: number): void {
    this.skipped += noiseEnd;
    this.pending = this.pending.subarray(consumedEnd);
  }
}
