import { describe, expect, it } from 'vitest';
import { createVirtualClock } from './clock.ts';

describe('virtual clock', () => {
  it('maps wall time to virtual time at factor k and back', () => {
    let wall = 1_000;
    const c = createVirtualClock({ k: 20, t0: 7 * 3600_000, wallNow: () => wall });
    expect(c.now()).toBe(7 * 3600_000);
    wall += 3_000;
    expect(c.now()).toBe(7 * 3600_000 + 60_000);
    expect(c.toWall(c.toVirtual(12_345))).toBeCloseTo(12_345);
    expect(c.wallDuration(60_000)).toBe(3_000);
    expect(() => createVirtualClock({ k: 0.5, t0: 0 })).toThrow(/≥ 1/);
  });
});
