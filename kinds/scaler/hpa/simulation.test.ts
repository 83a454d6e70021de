import { describe, expect, it } from 'vitest';
import { hpa } from './index.ts';
import { KCM_DEFAULTS } from './resolve.ts';

const spec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'AverageValue' as const, target: 1000 }] };
const flags = { ...KCM_DEFAULTS };

describe('the HPA kind\'s simulation', () => {
  it('the fast run (quiet or sync) decides what the reference decides, sync after sync', () => {
    const fast = hpa.simulation(spec, flags, { precomputed: true });
    const ref = hpa.simulation(spec, flags, { precomputed: false });
    const values = [1000, 1000, 4000, 4000, 9000, 9000, 2000, 2000, 2000, 500, 500];
    let a = 1;
    let b = 1;
    const decided: number[] = [];
    const rescaled: boolean[] = [];
    values.forEach((v, i) => {
      const now = 1000 + 15 * i;
      // Minutes pass between the points, so the downscale window (300 s) lets go in the end.
      const t = now + (i > 6 ? 400 * (i - 6) : 0);
      if (!fast.quiet(t, a, v, a)) a = fast.decide(t, a, a, v);
      const before = b;
      b = ref.decide(t, b, b, v);
      expect(a).toBe(b);
      decided.push(b);
      rescaled.push(ref.rescale === (b !== before));
    });
    // 4 → 8 first: without behavior a scale-up is limited to max(2 × current, 4). The 9 holds
    // through the 300 s downscale window, then each lower value is taken once its window passed.
    expect(decided).toEqual([1, 1, 4, 4, 8, 9, 9, 2, 2, 1, 1]);
    expect(rescaled.every(Boolean)).toBe(true);
    expect(ref.quiet(0, 1, 1, 1)).toBe(false);
  });

  it('settles at the replicas a held value needs (the run\'s warm-up)', () => {
    expect(hpa.simulation(spec, flags, { precomputed: true }).settle(0, 7500)).toBe(8);
    expect(hpa.simulation({ ...spec, minReplicas: 3 }, flags, { precomputed: false }).settle(0, 0)).toBe(3);
  });
});
