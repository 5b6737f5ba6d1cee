import type { EncodedLines } from './encoded-lines.js';

const NEWLINE = 0x0a;
/** Bytes taken from the system at a time; a message's lines are a place in one such block. */
const DEFAULT_BLOCK_BYTES = 64 * 1024;
const NO_LINES: readonly number[] = Object.freeze([]);
/** Lines of one line shorter than this share their `ends` with every other line of their length. */
const SHARED_ENDS_BELOW = 4096;
const oneLineEnds = new Array<readonly number[] | undefined>(SHARED_ENDS_BELOW);

/**
 * Writes one message's lines of line protocol straight into bytes: lines are built piece by
 * piece (cached byte strings and ASCII numbers) into a shared block, and each message gets a
 * place in the block (block, start, line ends).
 *
 * Why not strings joined and then encoded: at thousands of readings a second, building each
 * line as a string made a rope of small strings per field, joining a message's lines made a
 * flat copy, and `Buffer.from` a third copy in a fresh allocation (a batch's lines are past
 * Node's 4 KiB pooling): half of what ingest allocated on the batch topic.
 *
 * A block stays in memory while any message in it is unwritten; ingest writes roughly in
 * arrival order and holds at most `maxBufferedPoints`, so that is a few blocks more than the
 * lines themselves.
 */
export class LineEncoder {
  private block: Buffer;
  /** Where the current message's bytes begin in the block. */
  private start = 0;
  private offset = 0;
  /** Line ends of the current message; copied at `finish` to an array of just their number. */
  private readonly ends: number[] = [];

  constructor(private readonly blockBytes = DEFAULT_BLOCK_BYTES) {
    this.block = Buffer.allocUnsafe(blockBytes);
  }

  /**
   * Ends the line being written with a newline. Every line ends with one (InfluxDB takes a
   * body that ends in a newline), so the messages written one after another into a block
   * are one run of lines, which a write sends as one piece (`bodyOfLines`).
   */
  endLine(): void {
    this.ends.push(this.offset - this.start);
    this.room(1);
    this.block[this.offset++] = NEWLINE;
  }

  /**
   * Appends bytes as they are, from byte `from` of `piece`. Copied in a loop: the pieces are
   * a few to a hundred bytes, where `set` and `copy` cost more to call than to copy.
   */
  bytes(piece: Uint8Array, from = 0): void {
    const end = piece.length;
    this.room(end - from);
    const { block } = this;
    let offset = this.offset;
    for (let i = from; i < end; i++) block[offset++] = piece[i] as number;
    this.offset = offset;
  }

  /** Appends text known to be ASCII (numbers as `String` writes them), one byte per character. */
  ascii(text: string): void {
    const length = text.length;
    this.room(length);
    const { block } = this;
    let offset = this.offset;
    for (let i = 0; i < length; i++) block[offset++] = text.charCodeAt(i);
    this.offset = offset;
  }

  /** Appends a whole line given as text, UTF-8 encoded. */
  line(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    this.room(text.length * 3);
    this.offset += this.block.write(text, this.offset);
    this.endLine();
  }

  /** The lines written since the last `finish` or `abandon`, as bytes; the next message starts after them. */
  finish(): EncodedLines {
    const { ends } = this;
    // Held until the write: an array grown by `push` keeps room for 16 or more.
    const held =
      ends.length === 0 ? NO_LINES : ends.length === 1 ? endsOfOneLine(ends[0] as number) : ends.slice();
    const encoded = { block: this.block, start: this.start, ends: held };
    this.start = this.offset;
    ends.length = 0;
    return encoded;
  }

  /** Forgets the lines written since the last `finish` (a message that failed half-way). */
  abandon(): void {
    this.offset = this.start;
    this.ends.length = 0;
  }

  /** Makes room for `needed` more bytes, moving the current message to a new block if this one is full. */
  private room(needed: number): void {
    if (this.offset + needed <= this.block.length) return;
    const written = this.offset - this.start;
    const block = Buffer.allocUnsafe(Math.max(this.blockBytes, 2 * (written + needed)));
    this.block.copy(block, 0, this.start, this.offset);
    this.block = block;
    this.start = 0;
    this.offset = written;
  }
}

/**
 * The `ends` of a message of one line (most messages on the per-device topic): shared by every
 * such line of the same length, so a held message has no array of its own (two objects fewer
 * for every young-generation collection to copy until its write).
 */
function endsOfOneLine(end: number): readonly number[] {
  if (end >= SHARED_ENDS_BELOW) return [end];
  let ends = oneLineEnds[end];
  if (!ends) {
    ends = Object.freeze([end]);
    oneLineEnds[end] = ends;
  }
  return ends;
}
