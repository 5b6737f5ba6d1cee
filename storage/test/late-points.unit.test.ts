import { describe, expect, it } from 'vitest';
import { CONTINUOUS_QUERY_REACH_MS, LatePoints } from '../index.js';

const NOW = Date.UTC(2026, 10, 5, 12, 0, 0);
const MINUTE = 60_000;

describe('LatePoints', () => {
  it('counts only points the 1-minute continuous queries (every minute, over 3) will not see', () => {
    expect(CONTINUOUS_QUERY_REACH_MS).toBe(2 * MINUTE);
    const late = new LatePoints();
    late.note([NOW - MINUTE, NOW - 2 * MINUTE + 1], NOW);
    expect(late.take()).toBeUndefined();
    late.note([NOW - 30 * MINUTE, NOW - MINUTE, NOW - 10 * MINUTE], NOW);
    expect(late.take()).toEqual({ fromMs: NOW - 30 * MINUTE, toMs: NOW - 10 * MINUTE });
    expect(late.take()).toBeUndefined();
  });

  it('takes one timestamp as a number', () => {
    const late = new LatePoints();
    late.note(NOW - MINUTE, NOW);
    expect(late.take()).toBeUndefined();
    late.note(NOW - 10 * MINUTE, NOW);
    late.note(NOW - 30 * MINUTE, NOW);
    expect(late.take()).toEqual({ fromMs: NOW - 30 * MINUTE, toMs: NOW - 10 * MINUTE });
  });

  it('merges what comes later with a range given back after a failed backfill', () => {
    const late = new LatePoints();
    late.note([NOW - 60 * MINUTE], NOW);
    const failed = late.take();
    late.note([NOW - 5 * MINUTE], NOW);
    if (failed) late.add(failed);
    expect(late.take()).toEqual({ fromMs: NOW - 60 * MINUTE, toMs: NOW - 5 * MINUTE });
  });
});
