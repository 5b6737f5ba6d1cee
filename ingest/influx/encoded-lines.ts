import { LineEncoder } from './line-encoder.js';

/**
 * Lines of line protocol as the bytes InfluxDB receives (`\n` between lines), and
 * where each line ends.
 *
 * Why bytes: ingest holds a message's points until InfluxDB has stored them, which
 * outlives a few young-generation collections. Held as strings (each a rope of the
 * pieces that built it), they were copied into the old generation and collected
 * there again, a third of ingest's CPU under load. A Buffer's bytes live outside
 * the JS heap; only a small handle is promoted.
 */
export interface EncodedLines {
  readonly bytes: Buffer;
  /** Byte offset just past line `i` (its `\n` not included). */
  readonly ends: readonly number[];
}

const NEWLINE = Buffer.from('\n');

/** Lines given as text, encoded as ingest encodes a message's lines (line-encoder.ts). */
export function encodeLines(lines: readonly string[]): EncodedLines {
  const encoder = new LineEncoder(1024);
  for (const line of lines) encoder.line(line);
  return encoder.finish();
}

/** Lines `from` to `to` (exclusive) of one encoded part, without copying. */
export function linesOf(part: EncodedLines, from: number, to: number): Buffer {
  const start = from === 0 ? 0 : (part.ends[from - 1] as number) + 1;
  const end = to === 0 ? 0 : (part.ends[to - 1] as number);
  return start === 0 && end === part.bytes.length ? part.bytes : part.bytes.subarray(start, end);
}

/**
 * One body from several parts read as one sequence of lines: lines `from` to `to`
 * (exclusive) of that sequence, as pieces to send one after another (views of the parts
 * and the newlines between them, nothing copied). `starts[k]` is the index of part `k`'s
 * first line.
 */
export function bodyOfLines(
  parts: readonly EncodedLines[],
  starts: readonly number[],
  from: number,
  to: number,
): Buffer[] {
  const pieces: Buffer[] = [];
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k] as EncodedLines;
    const first = starts[k] as number;
    const localFrom = Math.max(from - first, 0);
    const localTo = Math.min(to - first, part.ends.length);
    if (localFrom >= localTo) continue;
    if (pieces.length > 0) pieces.push(NEWLINE);
    pieces.push(linesOf(part, localFrom, localTo));
  }
  return pieces;
}
