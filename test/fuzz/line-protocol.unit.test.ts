import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toLineProtocol } from '../../ingest/index.js';
import { fuzzOptions } from './support/fuzz-options.js';
import { readLine } from './support/line-protocol-reader.js';
import { expectedRead, pointArbitrary, storable } from './support/points.js';

describe('ingest line-protocol writer', () => {
  it('writes every storable point so that it reads back exactly, and refuses the rest', () => {
    let written = 0;
    fc.assert(
      fc.property(pointArbitrary, (point) => {
        if (!storable(point)) {
          expect(() => toLineProtocol(point)).toThrow(/cannot be written|not finite|not a safe integer/);
          return;
        }
        written++;
        expect(readLine(toLineProtocol(point))).toEqual(expectedRead(point));
      }),
      fuzzOptions(3000),
    );
    expect(written).toBeGreaterThan(300);
  });
});
