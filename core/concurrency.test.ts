import { describe, expect, it } from 'vitest';
import { mapLimit } from './concurrency.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapLimit', () => {
  it('keeps the items\' order whatever order the calls end in, and never has more than limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const delays = [30, 5, 20, 1, 15, 2, 8];
    const r = await mapLimit(delays, 3, async (d, i) => {
      most = Math.max(most, ++inFlight);
      await tick(d);
      inFlight--;
      return `${i}:${d}`;
    });
    expect(r).toEqual(delays.map((d, i) => `${i}:${d}`));
    expect(most).toBe(3);
  });

  it('an empty list calls nothing; a rejection rejects the whole', async () => {
    expect(await mapLimit([], 4, () => Promise.reject(new Error('called')))).toEqual([]);
    await expect(mapLimit([1, 2, 3], 2, async (x) => {
      if (x === 2) throw new Error('two');
      return x;
    })).rejects.toThrow('two');
  });

  it('refuses a limit below 1', async () => {
    await expect(mapLimit([1], 0, async (x) => x)).rejects.toThrow(RangeError);
  });
});
