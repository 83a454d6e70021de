import { describe, expect, it } from 'vitest';
import type { ResolvedPlacement } from '../../model/placement.ts';
import { elasticWorkload, tiersOf } from './index.ts';

const ew = { sourceTarget: { name: 'web', min: 1, max: 2 }, elasticUnit: [{ name: 'reserved', max: 2 }, { name: 'spot' }] };
const placement: ResolvedPlacement = { kind: 'ElasticWorkload', tiers: tiersOf(ew) };

describe('the ElasticWorkload kind', () => {
  it('tiers: the source on ECS, then each unit\'s Deployment on the virtual node, in list order', () => {
    expect(placement.tiers).toEqual([
      { deployment: 'web', min: 1, max: 2, node: 'ecs' },
      { deployment: 'web-unit-reserved', unit: 'reserved', max: 2, node: 'eci' },
      { deployment: 'web-unit-spot', unit: 'spot', node: 'eci' },
    ]);
  });

  it('splits as the controller does: the source up to its max (never below its min), units in order, the last unbounded', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => elasticWorkload.split(placement, n))).toEqual([[1, 0, 0], [1, 0, 0], [2, 0, 0], [2, 1, 0], [2, 2, 0], [2, 2, 1], [2, 2, 5]]);
  });

  it('a tier changed in place splits with its new bounds (nothing cached)', () => {
    const p = structuredClone(placement);
    expect(elasticWorkload.split(p, 4)).toEqual([2, 2, 0]);
    p.tiers[0]!.max = 4;
    expect(elasticWorkload.split(p, 4)).toEqual([4, 0, 0]);
  });

  it('runs its controller in a replay, and speaks of source and unit pods', () => {
    const components = elasticWorkload.components(placement, { kubeConfig: () => { throw new Error('not started in this test'); }, namespace: 'default' });
    expect(components.map((c) => c.name)).toEqual(['ew-controller']);
    expect(elasticWorkload.words).toEqual({ cheapest: 'source', overflow: 'unit' });
  });
});
