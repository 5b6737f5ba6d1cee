import type { EncodedLines } from './encoded-lines.js';

const NEWLINE = 0x0a;
/** Bytes taken from the system at a time; a message's lines are a place in one such block. */
const DEFAULT_BLOCK_BYTES = 64 * 1024;
const NO_LINES: readonly number[] = Object.freeze([]);
/** Written blocks kept to take new lines; past these they are left to the garbage collector. */
const SPARE_BLOCKS = 8;
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
 * lines themselves. Once every message in a block is `release`d, the block takes new lines.
 * Why: a block outlives its write by seconds otherwise. Its handle is held until the write,
 * so it is in the old generation, and its bytes (outside the JS heap) go only with the next
 * full collection: on the batch topic, at tens of MB of lines a second, tens of MB of written
 * lines waited in malloc's heap for it.
 */
export class LineEncoder {
  private block: Buffer;
  /** Where the current message's bytes begin in the block. */
  private start = 0;
  private offset = 0;
  /** Line ends of the current message; copied at `finish` to an array of just their number. */
  private readonly ends: number[] = [];
  /** Per block: messages finished in it and not yet released (a block of no message is not here). */
  private readonly unreleased = new WeakMap<Buffer, number>();
  /** Blocks every message of which was released, to write new lines into. */
  private readonly spares: Buffer[] = [];

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
    if (held.length > 0) this.unreleased.set(this.block, (this.unreleased.get(this.block) ?? 0) + 1);
    this.start = this.offset;
    ends.length = 0;
    return encoded;
  }

  /**
   * Told once per finished message that its lines will never be read again (written, or
   * refused and dead-lettered): when that was the last message of its block, the block takes
   * new lines. A message never released (one dropped unwritten) only keeps its block from
   * being reused; the garbage collector takes it.
   */
  release(lines: EncodedLines): void {
    if (lines.ends.length === 0) return;
    const { block } = lines;
    const left = (this.unreleased.get(block) ?? 0) - 1;
    if (left > 0) {
      this.unreleased.set(block, left);
      return;
    }
    this.unreleased.delete(block);
    if (block !== this.block) this.spare(block);
  }

  /** Forgets the lines written since the last `finish` (a message that failed half-way). */
  abandon(): void {
    this.offset = this.start;
    this.ends.length = 0;
  }

  /** Keeps a block of the usual size for new lines; a few at most (what a burst needed is not kept). */
  private spare(block: Buffer): void {
    if (block.length === this.blockBytes && this.spares.length < SPARE_BLOCKS) this.spares.push(block);
  }

  /** Makes room for `needed` more bytes, moving the current message to a new block if this one is full. */
  private room(needed: number): void {
    if (this.offset + needed <= this.block.length) return;
    const written = this.offset - this.start;
    const size = Math.max(this.blockBytes, 2 * (written + needed));
    const block = (size === this.blockBytes ? this.spares.pop() : undefined) ?? Buffer.allocUnsafe(size);
    this.block.copy(block, 0, this.start, this.offset);
    // A block left with no unreleased message (its messages written already, or none) is spare at once.
    if (!this.unreleased.has(this.block)) this.spare(this.block);
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
