import { describe, expect, it } from 'vitest';
import { SeqTracker } from './seq-tracker.js';

describe('SeqTracker', () => {
  it('tells gaps, duplicates and counter resets apart per device', () => {
    const seq = new SeqTracker(1000);
    expect(seq.observe('a', 5).kind).toBe('first');
    expect(seq.observe('a', 6).kind).toBe('next');
    expect(seq.observe('a', 9)).toEqual({ kind: 'gap', missing: 2 });
    expect(seq.observe('a', 9).kind).toBe('duplicate');
    expect(seq.observe('b', 9).kind).toBe('first');
    expect(seq.observe('a', 5000).kind).toBe('gap');
    expect(seq.observe('a', 0).kind).toBe('reset');
    expect(seq.observe('a', 1).kind).toBe('next');
  });
});
