/**
 * What a byte-oriented meter protocol (DL/T 645, CJ/T 188) finds at the first frame
 * start in a run of bytes.
 */
export type FrameScan<F, E> =
  /** A whole, valid frame in bytes[start, end). */
  | { kind: 'frame'; frame: F; start: number; end: number }
  /** A header at `start` whose frame has not fully arrived yet. */
  | { kind: 'incomplete'; start: number }
  /** A whole frame at `start` that is broken; resume scanning at start + 1. */
  | { kind: 'invalid'; error: E; start: number }
  /** No header could start anywhere from `from` on: those bytes are all noise. */
  | { kind: 'none' };

export type FrameReaderOutput<F, E> = { frame: F } | { error: E };

/** How a protocol names what is wrong when a complete reply holds no valid frame. */
export interface FrameDecodeErrors<E extends Error> {
  /** A broken frame at `start`: the scan's error, or a clearer one (default: the scan's). */
  invalid?(bytes: Uint8Array, start: number, error: E): E;
  /** A header at `start` whose frame never fully arrived. */
  truncated(bytes: Uint8Array, start: number): E;
  /** No header anywhere. */
  none(bytes: Uint8Array): E;
}

/**
 * Decodes the first valid frame in a complete reply (preamble and leading noise allowed,
 * trailing bytes ignored), or throws the first thing wrong: a broken frame, a frame cut
 * short, or no frame at all.
 */
export function decodeFirstFrame<F, E extends Error>(
  bytes: Uint8Array,
  scan: (bytes: Uint8Array, from?: number) => FrameScan<F, E>,
  errors: FrameDecodeErrors<E>,
): F {
  let firstError: E | undefined;
  let from = 0;
  for (;;) {
    const result = scan(bytes, from);
    switch (result.kind) {
      case 'frame':
        return result.frame;
      case 'invalid':
        firstError ??= errors.invalid?.(bytes, result.start, result.error) ?? result.error;
        from = result.start + 1;
        continue;
      case 'incomplete':
        throw firstError ?? errors.truncated(bytes, result.start);
      case 'none':
        throw firstError ?? errors.none(bytes);
    }
  }
}

/**
 * Cuts a serial byte stream into frames with a protocol's scan function. Bytes arrive
 * in arbitrary chunks (a UART delivers a frame in pieces; two frames may share a
 * chunk); noise between frames is dropped, a broken frame is reported and scanning
 * resumes one byte after its start, so one bad frame never desynchronises the line.
 */
export class FrameStreamReader<F, E> {
  private pending: Buffer = Buffer.alloc(0);
  private skipped = 0;

  /**
   * @param scan finds the first frame from `from` on (see {@link FrameScan})
   * @param maxPending longest run of bytes worth keeping: one maximal frame and some wake-up bytes
   */
  constructor(
    private readonly scan: (bytes: Uint8Array, from?: number) => FrameScan<F, E>,
    private readonly maxPending: number,
  ) {}

  /** Bytes dropped as noise (preamble included) since the reader was made. */
  get skippedBytes(): number {
    return this.skipped;
  }

  push(chunk: Uint8Array): Array<FrameReaderOutput<F, E>> {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const outputs: Array<FrameReaderOutput<F, E>> = [];
    for (;;) {
      const scan = this.scan(this.pending);
      if (scan.kind === 'frame') {
        outputs.push({ frame: scan.frame });
        this.drop(scan.start, scan.end);
      } else if (scan.kind === 'invalid') {
        outputs.push({ error: scan.error });
        this.drop(scan.start + 1, scan.start + 1);
      } else if (scan.kind === 'incomplete') {
        this.drop(scan.start, scan.start);
        if (this.pending.length > this.maxPending) this.drop(1, 1);
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

/** The sum of `bytes` modulo 256: the CS byte of DL/T 645 and CJ/T 188 frames. */
export function byteSum(bytes: Uint8Array): number {
  let sum = 0;
  for (const byte of bytes) sum = (sum + byte) & 0xff;
  return sum;
}
