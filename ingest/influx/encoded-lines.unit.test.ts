import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLines, bodyOfLines, bytesOf, linesOf, textOf } from './encoded-lines.js';
import { LineEncoder } from './line-encoder.js';

// Lines as line protocol can hold them: multi-byte text, and a literal newline inside a quoted string field.
const line = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }).map((s) => `m,t=${s.replace(/\n/g, 'n')} f=1 1`),
  fc.constantFrom('water,site=岭下村 flow_m3h=1.5 7', 'e,d=x note="two\nlines" 2', 'm f=1 1'),
);
const parts = fc.array(fc.array(line, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 });

describe('encoded lines', () => {
  it('encodes lines as UTF-8, each ended by a newline, with each line end in bytes', () => {
    const encoded = encodeLines(['a f=1 1', 'b,site=岭下 f=2 2', 'c f=3 3']);
    expect(bytesOf(encoded).toString()).toBe('a f=1 1\nb,site=岭下 f=2 2\nc f=3 3\n');
    expect(textOf(encoded)).toBe('a f=1 1\nb,site=岭下 f=2 2\nc f=3 3');
    expect(encoded.ends).toEqual([
      7,
      7 + 1 + Buffer.byteLength('b,site=岭下 f=2 2'),
      bytesOf(encoded).length - 1,
    ]);
    expect(linesOf(encoded, 1, 2).toString()).toBe('b,site=岭下 f=2 2\n');
  });

  it('sends messages encoded one after another as one piece, and any gap as another', () => {
    const encoder = new LineEncoder();
    const parts = ['a f=1 1', 'b f=2 2', 'c f=3 3'].map((line) => {
      encoder.line(line);
      return encoder.finish();
    });
    expect(bodyOfLines(parts, [0, 1, 2], 0, 3).map(String)).toEqual(['a f=1 1\nb f=2 2\nc f=3 3\n']);
    // The middle one left out (a stale message): the first and the last are not adjacent.
    expect(bodyOfLines([parts[0]!, parts[2]!], [0, 1], 0, 2).map(String)).toEqual(['a f=1 1\n', 'c f=3 3\n']);
  });

  it('gives any range of lines across parts, byte for byte as the strings joined', () => {
    fc.assert(
      fc.property(parts, fc.nat(), fc.nat(), (lineParts, a, b) => {
        const all = lineParts.flat();
        const from = a % (all.length + 1);
        const to = from + (b % (all.length - from + 1));
        const encoded = lineParts.map(encodeLines);
        const starts: number[] = [];
        let next = 0;
        for (const part of lineParts) {
          starts.push(next);
          next += part.length;
        }
        const body = bodyOfLines(encoded, starts, from, to);
        expect(Buffer.concat(body).toString()).toBe(
          all
            .slice(from, to)
            .map((text) => `${text}\n`)
            .join(''),
        );
      }),
    );
  });
});
