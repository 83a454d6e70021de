import { describe, expect, it } from 'vitest';
import { allocateAdaptive, allocateMinMax, parseSubsetReplicas } from './allocate.ts';

describe('the UnitedDeployment allocator (allocator.go)', () => {
  it('the controller\'s own example: mins first in list order, then up to each max in list order', () => {
    // spec.replicas 5; subset-a min 2 max 4, subset-b min 2 → {a: 3, b: 2}
    expect(allocateMinMax(5, [{ min: 2, max: 4 }, { min: 2 }])).toEqual([3, 2]);
  });

  it('ECS with a max, then ECI: ECS fills first, the overflow goes to ECI, and scaling in drains ECI first', () => {
    const subsets = [{ max: 2 }, {}];
    expect([0, 1, 2, 3, 6, 3, 2, 1].map((n) => allocateMinMax(n, subsets))).toEqual([[0, 0], [1, 0], [2, 0], [2, 1], [2, 4], [2, 1], [2, 0], [1, 0]]);
  });

  it('a min is no floor above the total: the mins are filled in order until the total runs out', () => {
    expect(allocateMinMax(3, [{ min: 2, max: 4 }, { min: 2 }])).toEqual([2, 1]);
    expect(allocateMinMax(1, [{ min: 2 }, { min: 2 }])).toEqual([1, 0]);
  });

  it('replicas beyond every max are not placed (the last subset bounded)', () => {
    expect(allocateMinMax(9, [{ max: 2 }, { max: 3 }])).toEqual([2, 3]);
  });

  it('Adaptive: an unschedulable subset is held at its ready pods and the rest overflows to the next subset', () => {
    const subsets = [{ max: 4 }, {}];
    expect(allocateAdaptive(6, subsets, [{ ready: 1, unschedulable: true }, { ready: 0, unschedulable: false }])).toEqual([1, 5]);
    // Recovered: the ECI pods that run are kept at the same total, and a scale-in still drains ECI first.
    expect(allocateAdaptive(6, subsets, [{ ready: 1, unschedulable: false }, { ready: 5, unschedulable: false }])).toEqual([1, 5]);
    expect(allocateAdaptive(3, subsets, [{ ready: 1, unschedulable: false }, { ready: 5, unschedulable: false }])).toEqual([1, 2]);
  });

  it('Adaptive keeps a schedulable subset\'s ready pods (min raised to them), so running pods are not moved', () => {
    // ECI holds 3 ready pods after ECS was unschedulable; scaling to 5 with ECS recovered keeps them.
    expect(allocateAdaptive(5, [{ max: 4 }, {}], [{ ready: 1, unschedulable: false }, { ready: 3, unschedulable: false }])).toEqual([2, 3]);
    // Without observations it is the min/max allocation.
    expect(allocateAdaptive(5, [{ max: 4 }, {}], [undefined, undefined])).toEqual(allocateMinMax(5, [{ max: 4 }, {}]));
  });

  it('ParseSubsetReplicas: integers, and percentages of the replicas rounded half up', () => {
    expect(parseSubsetReplicas(10, 3)).toBe(3);
    expect(parseSubsetReplicas(5, '50%')).toBe(3);
    expect(parseSubsetReplicas(5, '10%')).toBe(1);
    expect(() => parseSubsetReplicas(5, '150%')).toThrow(/\[0, 100\]/);
    expect(() => parseSubsetReplicas(5, 'half')).toThrow(/percentage/);
    expect(() => parseSubsetReplicas(5, -1)).toThrow(/non-negative/);
  });
});
