import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesOf, linesOf, textOf, type EncodedLines } from './encoded-lines.js';
import { LineEncoder } from './line-encoder.js';

/** A line as pieces: ASCII numbers, UTF-8 bytes, or the whole line as text (multi-byte included). */
const piece = fc.oneof(
  fc.double({ noNaN: true }).map((n) => ({ kind: 'ascii' as const, text: String(n) })),
  fc
    .string({ maxLength: 12 })
    .map((s) => ({ kind: 'bytes' as const, text: s.replace(/[\uD800-\uDFFF]/g, 'x') })),
);
const line = fc.oneof(
  fc.array(piece, { minLength: 1, maxLength: 6 }),
  fc.constantFrom('water,site=岭下村 flow_m3h=1.5 7', 'e,d=x note="two\nlines" 2').map((text) => text),
);
const message = fc.array(line, { minLength: 1, maxLength: 5 });

function write(
  encoder: LineEncoder,
  lines: ReadonlyArray<string | ReadonlyArray<{ kind: string; text: string }>>,
) {
  const texts: string[] = [];
  for (const l of lines) {
    if (typeof l === 'string') {
      encoder.line(l);
      texts.push(l);
      continue;
    }
    for (const p of l) {
      if (p.kind === 'ascii') encoder.ascii(p.text);
      else encoder.bytes(Buffer.from(p.text));
    }
    encoder.endLine();
    texts.push(l.map((p) => p.text).join(''));
  }
  return texts;
}

describe('LineEncoder', () => {
  it('gives each message its lines as UTF-8, each ended by a newline, and never changes bytes it gave out', () => {
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 64 }),
        (messages, block) => {
          // Small blocks: messages straddle blocks, and some are larger than a whole block.
          const encoder = new LineEncoder(block);
          const given: Array<{ encoded: EncodedLines; texts: string[] }> = [];
          for (const lines of messages) {
            const texts = write(encoder, lines);
            given.push({ encoded: encoder.finish(), texts });
          }
          for (const { encoded, texts } of given) {
            expect(bytesOf(encoded).toString()).toBe(texts.map((text) => `${text}\n`).join(''));
            expect(textOf(encoded)).toBe(texts.join('\n'));
            expect(encoded.ends).toHaveLength(texts.length);
            texts.forEach((text, i) => expect(linesOf(encoded, i, i + 1).toString()).toBe(`${text}\n`));
          }
        },
      ),
    );
  });

  it('reuses a block once every message in it is released, and never changes the bytes of one not released', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(message, fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 8, max: 64 }),
        (messages, block) => {
          const encoder = new LineEncoder(block);
          const kept: Array<{ encoded: EncodedLines; text: string }> = [];
          for (const [lines, released] of messages) {
            const texts = write(encoder, lines);
            const encoded = encoder.finish();
            if (released) encoder.release(encoded);
            else kept.push({ encoded, text: texts.map((text) => `${text}\n`).join('') });
          }
          for (const { encoded, text } of kept) expect(bytesOf(encoded).toString()).toBe(text);
        },
      ),
    );
    // Two of every three messages released as soon as they are written, the third kept: blocks are
    // reused, and the kept lines stay as they were.
    const encoder = new LineEncoder(64);
    const blocks = new Set<Buffer>();
    const kept: Array<[EncodedLines, string]> = [];
    for (let i = 0; i < 40; i++) {
      encoder.ascii(`m f=${i} 1`);
      encoder.endLine();
      const encoded = encoder.finish();
      blocks.add(encoded.block);
      if (i % 3 === 0) kept.push([encoded, `m f=${i} 1\n`]);
      else encoder.release(encoded);
    }
    for (const [encoded, text] of kept) expect(bytesOf(encoded).toString()).toBe(text);
    expect(blocks.size).toBeLessThan(kept.length);
    // Released as soon as written, two blocks take turns.
    const reused = new LineEncoder(64);
    const turns = new Set<Buffer>();
    for (let i = 0; i < 40; i++) {
      reused.ascii(`m f=${i} 1`);
      reused.endLine();
      const encoded = reused.finish();
      turns.add(encoded.block);
      reused.release(encoded);
    }
    expect(turns.size).toBe(2);
  });

  it('drops what an abandoned message wrote', () => {
    const encoder = new LineEncoder(8);
    encoder.line('a f=1 1');
    const first = encoder.finish();
    encoder.line('b f=2 2');
    encoder.ascii('half a line');
    encoder.abandon();
    encoder.line('c f=3 3');
    const next = encoder.finish();
    expect(textOf(first)).toBe('a f=1 1');
    expect(textOf(next)).toBe('c f=3 3');
    expect(next.ends).toEqual([7]);
  });
});
