import { describe, expect, it } from 'vitest';
import { maxOf, parseMaxReplicas, spread, spreadAdaptive } from './spread.ts';

describe('where a WorkloadSpread\'s pods are (the webhook\'s fill order and the deletion cost\'s scale-in)', () => {
  it('fills subsets in list order up to each max; the last subset without a max takes the rest; scale-in drains the last first', () => {
    const maxes = [2, undefined];
    expect([0, 1, 2, 3, 6, 3, 2, 1].map((n) => spread(n, maxes))).toEqual([[0, 0], [1, 0], [2, 0], [2, 1], [2, 4], [2, 1], [2, 0], [1, 0]]);
    expect(spread(7, [2, 3, undefined])).toEqual([2, 3, 2]);
  });

  it('pods beyond every max are not placed by the webhook', () => {
    expect(spread(9, [2, 3])).toEqual([2, 3]);
  });

  it('a percentage is of the workload\'s replicas, rounded up (GetScaledValueFromIntOrPercent)', () => {
    expect(maxOf({ percent: 50 }, 5)).toBe(3);
    expect(maxOf({ percent: 30 }, 10)).toBe(3);
    expect(spread(5, [{ percent: 50 }, undefined])).toEqual([3, 2]);
    expect(spread(10, [{ percent: 30 }, { percent: 70 }])).toEqual([3, 7]);
    // Scaling in shrinks the max with the total: the extra ECS pods carry a negative cost and go first.
    expect(spread(4, [{ percent: 50 }, undefined])).toEqual([2, 2]);
  });

  it('parses maxReplicas as kruise validates it', () => {
    expect(parseMaxReplicas(undefined)).toBeUndefined();
    expect(parseMaxReplicas(3)).toBe(3);
    expect(parseMaxReplicas('40%')).toEqual({ percent: 40 });
    expect(() => parseMaxReplicas('140%')).toThrow(/0%" to "100%/);
    expect(() => parseMaxReplicas(-1)).toThrow(/non-negative/);
    expect(() => parseMaxReplicas('two')).toThrow(/non-negative integer or a percentage/);
  });

  it('Adaptive: an unschedulable subset holds its ready pods and the rest goes to the next subset', () => {
    expect(spreadAdaptive(6, [4, undefined], [{ ready: 1, unschedulable: true }, { ready: 0, unschedulable: false }])).toEqual([1, 5]);
    // Recovered: running ECI pods stay at the same total; a scale-out fills ECS again; a scale-in drains ECI first.
    expect(spreadAdaptive(6, [4, undefined], [{ ready: 1, unschedulable: false }, { ready: 5, unschedulable: false }])).toEqual([1, 5]);
    expect(spreadAdaptive(7, [4, undefined], [{ ready: 1, unschedulable: false }, { ready: 5, unschedulable: false }])).toEqual([2, 5]);
    expect(spreadAdaptive(3, [4, undefined], [{ ready: 1, unschedulable: false }, { ready: 5, unschedulable: false }])).toEqual([1, 2]);
    // Nothing observed: the plain fill.
    expect(spreadAdaptive(5, [4, undefined], [undefined, undefined])).toEqual(spread(5, [4, undefined]));
  });
});
