import { describe, expect, it } from 'vitest';
import { createReplayClock } from './replay-clock.ts';

describe('replay clock', () => {
  it('holds at the first window until entered, runs k× faster, and jumps to the next window', () => {
    let wall = 1_000;
    const c = createReplayClock({ k: 60, windowStartsMs: [10_000_000, 50_000_000], wallNow: () => wall });
    wall += 5_000;
    expect(c.now()).toBe(10_000_000);
    c.enter(0);
    wall += 1_000;
    expect(c.now()).toBe(10_060_000);
    c.enter(1);
    expect(c.now()).toBe(50_000_000);
    wall += 500;
    expect(c.now()).toBe(50_030_000);
    expect(c.wallDuration(60_000)).toBe(1_000);
    expect(() => c.enter(2)).toThrow(/no window 2/);
  });
});
