import { describe, expect, it } from 'vitest';
import type { Timeline, TimelineEvent } from '../timeline/format.ts';
import { check, scaleDownOrderViolation } from './checks.ts';
import { timelineTiers, type Tiers } from './tiers.ts';

const ev = (t: number, e: Partial<TimelineEvent>): TimelineEvent => ({ kind: 'event', t, type: 'note', ...e });
const tl = (events: TimelineEvent[]): Timeline => ({
  meta: { kind: 'meta', version: 1, source: 'cluster', scenario: 't', start: 0, end: 10, compression: 1, constants: {}, devicesPerReplica: 1000, sourceMax: 2, notes: [] },
  samples: [],
  events,
});

/** A placement with three tiers by cost and its own words (as a UnitedDeployment's subsets might be). */
const three: Tiers = {
  words: { cheapest: 'reserved', overflow: 'subset' },
  tierOf: (owner) => ({ source: 0, 'web-spot': 1, 'web-eci': 2 })[owner ?? ''] ?? 2,
  nodeOf: (tier) => (tier === 0 ? 'ecs' : tier === 1 ? 'ecs' : 'eci'),
  count: 3,
};

describe('checks speak of tiers ordered by cost', () => {
  it('the timeline tiers: source is tier 0 on ECS, any other owner overflow on the virtual node', () => {
    const t = timelineTiers();
    expect([t.tierOf('source'), t.tierOf('nginx-unit-virtual-kubelet'), t.tierOf(undefined)]).toEqual([0, 1, 1]);
    expect([t.nodeOf(0), t.nodeOf(1)]).toEqual(['ecs', 'eci']);
  });

  it('scale-down order: the most expensive tier drains first, whatever the kind', () => {
    const middleBeforeTop = [ev(1, { type: 'pod.created', object: 'e1', owner: 'web-eci' }), ev(2, { type: 'pod.deleted', object: 's1', owner: 'web-spot' })];
    expect(scaleDownOrderViolation(tl(middleBeforeTop), three)?.object).toBe('s1');
    // The same events in the two-tier view: both overflow, one price, no order between them.
    expect(scaleDownOrderViolation(tl(middleBeforeTop))).toBeUndefined();
    const drained = [...middleBeforeTop.slice(0, 1), ev(2, { type: 'pod.deleted', object: 'e1', owner: 'web-eci' }), ev(3, { type: 'pod.deleted', object: 's1', owner: 'web-spot' })];
    expect(scaleDownOrderViolation(tl(drained), three)).toBeUndefined();
    const failedTopFirst = [...middleBeforeTop.slice(0, 1), ev(2, { type: 'pod.failed', object: 'e1', owner: 'web-eci' }), ev(3, { type: 'pod.deleted', object: 's1', owner: 'web-spot' })];
    expect(scaleDownOrderViolation(tl(failedTopFirst), three)).toBeUndefined();
  });

  it('messages use the kind\'s words; each tier runs where the kind says', () => {
    const bad = tl([ev(1, { type: 'pod.created', object: 'e1', owner: 'web-eci' }), ev(2, { type: 'pod.deleted', object: 'r1', owner: 'source' })]);
    expect(check(bad, { type: 'scaleDownOrder' }, undefined, three).message).toMatch(/^reserved pod r1 was deleted at .* while subset pods still existed$/);
    expect(check(tl([]), { type: 'scaleDownOrder' }, undefined, three).message).toBe('no reserved pod was removed while subset pods existed');
    const spotOnEcs = tl([ev(1, { type: 'pod.ready', object: 's1', owner: 'web-spot', node: 'ecs-001', nodeType: 'ecs' })]);
    expect(check(spotOnEcs, { type: 'overflowOnlyOnVirtualNode' }, undefined, three)).toMatchObject({ passed: true, message: 'reserved pods ran on ECS nodes and subset pods only on the virtual node' });
    // In the two-tier view an overflow pod on an ECS node is misplaced.
    expect(check(spotOnEcs, { type: 'overflowOnlyOnVirtualNode' }).passed).toBe(false);
  });
});
