import { LineEncoder } from './line-encoder.js';

/**
 * Lines of line protocol as the bytes InfluxDB receives (each line ended by `\n`), and
 * where each line ends.
 *
 * Why bytes: ingest holds a message's points until InfluxDB has stored them, which
 * outlives a few young-generation collections. Held as strings (each a rope of the
 * pieces that built it), they were copied into the old generation and collected
 * there again, a third of ingest's CPU under load. A Buffer's bytes live outside
 * the JS heap; only a small handle is promoted.
 *
 * Why a place in a block rather than a view of it: every object a message holds until
 * its write is copied twice by the young-generation collector and then marked in the
 * old generation. A Buffer view is one of the largest (~110 bytes), and a message's
 * `ends` held with room to grow another ~150: per-device, they were a third of what each
 * message held. The view is made when the bytes are sent (`linesOf`).
 */
export interface EncodedLines {
  /** The block the lines were written into (other messages' lines share it). */
  readonly block: Buffer;
  /** Where the first line begins in `block`. */
  readonly start: number;
  /** Byte offset from `start` just past line `i` (its `\n` not included: it follows there). */
  readonly ends: readonly number[];
}

/** All the lines, each ended by its newline, as one view of their block. */
export function bytesOf(lines: EncodedLines): Buffer {
  return linesOf(lines, 0, lines.ends.length);
}

/** The lines as text, joined by newlines (tests and tools). */
export function textOf(lines: EncodedLines): string {
  const count = lines.ends.length;
  return count === 0
    ? ''
    : lines.block.toString('utf8', lines.start, lines.start + (lines.ends[count - 1] as number));
}

/** Lines given as text, encoded as ingest encodes a message's lines (line-encoder.ts). */
export function encodeLines(lines: readonly string[]): EncodedLines {
  const encoder = new LineEncoder(1024);
  for (const line of lines) encoder.line(line);
  return encoder.finish();
}

/** Where line `index` begins, from the part's `start`. */
function lineStart(part: EncodedLines, index: number): number {
  return index === 0 ? 0 : (part.ends[index - 1] as number) + 1;
}

/** Lines `from` to `to` (exclusive) of one encoded part, each ended by its newline, without copying. */
export function linesOf(part: EncodedLines, from: number, to: number): Buffer {
  const end = to === 0 ? 0 : (part.ends[to - 1] as number) + 1;
  return part.block.subarray(part.start + lineStart(part, from), part.start + end);
}

/**
 * One body from several parts read as one sequence of lines: lines `from` to `to`
 * (exclusive) of that sequence, as pieces to send one after another (views of the parts'
 * blocks, nothing copied). `starts[k]` is the index of part `k`'s first line. Parts that
 * follow each other in the same block (messages encoded one after another, the usual case)
 * are one piece: a per-device write of 5,000 messages is a handful of pieces, not 10,000.
 */
export function bodyOfLines(
  parts: readonly EncodedLines[],
  starts: readonly number[],
  from: number,
  to: number,
): Buffer[] {
  const pieces: Buffer[] = [];
  let block: Buffer | undefined;
  let pieceStart = 0;
  let pieceEnd = 0;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k] as EncodedLines;
    const first = starts[k] as number;
    const localFrom = Math.max(from - first, 0);
    const localTo = Math.min(to - first, part.ends.length);
    if (localFrom >= localTo) continue;
    const begin = part.start + lineStart(part, localFrom);
    const end = part.start + (part.ends[localTo - 1] as number) + 1;
    if (part.block === block && begin === pieceEnd) {
      pieceEnd = end;
      continue;
    }
    if (block) pieces.push(block.subarray(pieceStart, pieceEnd));
    block = part.block;
    pieceStart = begin;
    pieceEnd = end;
  }
  if (block) pieces.push(block.subarray(pieceStart, pieceEnd));
  return pieces;
}
