import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollClock } from './poll-clock.js';

describe('PollClock', () => {
  let clock: PollClock;
  const woken: string[] = [];
  const wait = (name: string, dueMs: number) => clock.until(dueMs).then(() => woken.push(name));

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    clock = new PollClock(() => Date.now());
    woken.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('wakes the devices due together on one timer, each at its due time and in due order', async () => {
    for (let device = 1; device <= 10; device++) void wait(`meter-${device}`, 1000);
    void wait('slow', 5000);
    void wait('early', 500);
    expect(vi.getTimerCount()).toBe(1);

    await vi.advanceTimersByTimeAsync(499);
    expect(woken).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(woken).toEqual(['early']);
    await vi.advanceTimersByTimeAsync(500);
    expect(woken).toEqual(['early', ...Array.from({ length: 10 }, (_, i) => `meter-${i + 1}`)]);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(4000);
    expect(woken.at(-1)).toBe('slow');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a wait due now or in the past returns on the next turn', async () => {
    vi.setSystemTime(10_000);
    void wait('late', 9_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(woken).toEqual(['late']);
  });

  it('close wakes every wait at once, and waits after it return at once', async () => {
    void wait('a', 1000);
    void wait('b', 60_000);
    clock.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(woken).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
    void wait('after', 1_000_000);
    await vi.advanceTimersByTimeAsync(0);
    expect(woken).toEqual(['a', 'b', 'after']);
  });
});
