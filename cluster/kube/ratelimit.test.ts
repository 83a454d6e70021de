import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenBucket } from './ratelimit.ts';

describe('token bucket', () => {
  afterEach(() => void vi.useRealTimers());

  it('lets a burst through at once, then paces at qps, in order', async () => {
    vi.useFakeTimers();
    let now = 0;
    const b = createTokenBucket({ qps: 5, burst: 3 }, () => now);
    const done: number[] = [];
    for (let i = 0; i < 5; i++) void b.acquire().then(() => done.push(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toEqual([0, 1, 2]);
    expect(b.delayMs()).toBeCloseTo(600);
    now = 200;
    await vi.advanceTimersByTimeAsync(200);
    expect(done).toEqual([0, 1, 2, 3]);
    now = 400;
    await vi.advanceTimersByTimeAsync(200);
    expect(done).toEqual([0, 1, 2, 3, 4]);
  });

  it('refills up to the burst only', async () => {
    let now = 0;
    const b = createTokenBucket({ qps: 10, burst: 2 }, () => now);
    await b.acquire();
    await b.acquire();
    expect(b.delayMs()).toBeCloseTo(100);
    now = 60_000;
    expect(b.delayMs()).toBe(0);
    await b.acquire();
    await b.acquire();
    expect(b.delayMs()).toBeGreaterThan(0);
  });

  it('releases waiters on stop and refuses nonsense limits', async () => {
    const b = createTokenBucket({ qps: 0.001, burst: 1 }, () => 0);
    await b.acquire();
    const waiting = b.acquire();
    b.stop();
    await expect(waiting).resolves.toBeUndefined();
    expect(() => createTokenBucket({ qps: 0, burst: 1 })).toThrow(/qps > 0/);
  });
});
