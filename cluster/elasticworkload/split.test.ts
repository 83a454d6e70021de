import { describe, expect, it } from 'vitest';
import { computeSplit, stageApply, unitDeploymentName, validateSpec, type ElasticWorkloadSpec } from './split.ts';

const guide: ElasticWorkloadSpec = {
  sourceTarget: { name: 'nginx', kind: 'Deployment', apiVersion: 'apps/v1', min: 0, max: 2 },
  replicas: 6,
  elasticUnit: [{ name: 'virtual-kubelet', nodeSelector: { type: 'virtual-kubelet' } }],
};

describe('computeSplit', () => {
  it.each([
    // replicas, source, unit — the guide's EW: source max 2, one unbounded unit
    [0, 0, 0],
    [1, 1, 0],
    [2, 2, 0],
    [3, 2, 1],
    [6, 2, 4],
    [2000, 2, 1998],
  ])('guide EW with %i replicas → source %i, unit %i', (replicas, source, unit) => {
    const s = computeSplit(guide, replicas);
    expect(s.source).toBe(source);
    expect(s.units).toEqual([{ name: 'virtual-kubelet', replicas: unit }]);
    expect(s.unplaced).toBe(0);
    expect(s.source + s.units[0]!.replicas).toBe(replicas);
  });

  it('keeps the source at its min when replicas are below it', () => {
    const s = computeSplit({ ...guide, sourceTarget: { name: 'nginx', min: 3, max: 5 } }, 1);
    expect(s).toEqual({ source: 3, units: [{ name: 'virtual-kubelet', replicas: 0 }], unplaced: 0, forcedByMin: 2 });
  });

  it('fills several units in list order, each up to its max; the last unbounded unit takes the rest', () => {
    const spec: ElasticWorkloadSpec = {
      sourceTarget: { name: 'app', max: 2 },
      elasticUnit: [{ name: 'a', max: 3 }, { name: 'b', max: 1 }, { name: 'c' }],
    };
    expect(computeSplit(spec, 4).units.map((u) => u.replicas)).toEqual([2, 0, 0]);
    expect(computeSplit(spec, 6).units.map((u) => u.replicas)).toEqual([3, 1, 0]);
    expect(computeSplit(spec, 10).units.map((u) => u.replicas)).toEqual([3, 1, 4]);
  });

  it('reports what no unit can take when every unit is bounded', () => {
    const s = computeSplit({ sourceTarget: { name: 'app', max: 1 }, elasticUnit: [{ name: 'a', max: 2 }] }, 5);
    expect(s.source).toBe(1);
    expect(s.units[0]!.replicas).toBe(2);
    expect(s.unplaced).toBe(2);
  });

  it('sends everything to the units when the source max is 0', () => {
    const s = computeSplit({ sourceTarget: { name: 'app', max: 0 }, elasticUnit: [{ name: 'a' }] }, 4);
    expect(s.source).toBe(0);
    expect(s.units[0]!.replicas).toBe(4);
  });

  it('a unit with max 0 is skipped', () => {
    const s = computeSplit({ sourceTarget: { name: 'app', max: 1 }, elasticUnit: [{ name: 'off', max: 0 }, { name: 'on' }] }, 3);
    expect(s.units).toEqual([{ name: 'off', replicas: 0 }, { name: 'on', replicas: 2 }]);
  });

  it('an unbounded source (no max) takes everything', () => {
    expect(computeSplit({ sourceTarget: { name: 'app' }, elasticUnit: [{ name: 'a' }] }, 7).source).toBe(7);
  });

  it('honours unit mins as floors', () => {
    const s = computeSplit({ sourceTarget: { name: 'app', max: 2 }, elasticUnit: [{ name: 'a', min: 1 }] }, 1);
    expect(s.units[0]!.replicas).toBe(1);
    expect(s.forcedByMin).toBe(1);
  });

  it('scaling in takes from the last unit first and the source last', () => {
    const spec: ElasticWorkloadSpec = { sourceTarget: { name: 'app', max: 2 }, elasticUnit: [{ name: 'a', max: 2 }, { name: 'b' }] };
    const seq = [7, 6, 5, 4, 3, 2, 1, 0].map((n) => computeSplit(spec, n));
    const asTuple = seq.map((s) => [s.source, ...s.units.map((u) => u.replicas)]);
    expect(asTuple).toEqual([
      [2, 2, 3],
      [2, 2, 2],
      [2, 2, 1],
      [2, 2, 0],
      [2, 1, 0],
      [2, 0, 0],
      [1, 0, 0],
      [0, 0, 0],
    ]);
  });
});

describe('validateSpec', () => {
  it('accepts the guide EW', () => expect(validateSpec(guide)).toEqual([]));
  it.each([
    [{ sourceTarget: { name: 'a', min: 3, max: 2 } }, 'spec.sourceTarget: min 3 is above max 2'],
    [{ sourceTarget: { name: 'a', kind: 'StatefulSet' } }, 'spec.sourceTarget.kind'],
    [{ sourceTarget: { name: '' } }, 'spec.sourceTarget.name'],
    [{ sourceTarget: { name: 'a' }, replicas: -1 }, 'spec.replicas'],
    [{ sourceTarget: { name: 'a' }, elasticUnit: [{ name: 'x' }, { name: 'x' }] }, 'spec.elasticUnit[1].name: duplicate'],
    [{ sourceTarget: { name: 'a' }, elasticUnit: [{ name: 'Bad_Name' }] }, 'not a DNS label'],
    [{ sourceTarget: { name: 'a' }, elasticUnit: [{ name: 'x', min: 2, max: 1 }] }, 'spec.elasticUnit[0]: min 2 is above max 1'],
  ] as [ElasticWorkloadSpec, string][])('rejects %j naming the field', (spec, needle) => {
    expect(validateSpec(spec).join('\n')).toContain(needle);
  });
  it('names the unit Deployment like ACK', () => expect(unitDeploymentName('nginx', 'virtual-kubelet')).toBe('nginx-unit-virtual-kubelet'));
});

describe('stageApply', () => {
  const target = computeSplit(guide, 1); // source 1, unit 0
  it('holds the source while unit pods still exist', () => {
    const s = stageApply(target, { source: 2, units: { 'virtual-kubelet': { spec: 4, existing: 4 } } });
    expect(s).toEqual({ source: 2, units: [{ name: 'virtual-kubelet', replicas: 0 }], holding: true });
  });
  it('shrinks the source once the units drained', () => {
    const s = stageApply(target, { source: 2, units: { 'virtual-kubelet': { spec: 0, existing: 0 } } });
    expect(s.source).toBe(1);
    expect(s.holding).toBe(false);
  });
  it('treats a unit removed from the spec as draining', () => {
    const s = stageApply(target, { source: 2, units: { 'virtual-kubelet': { spec: 0, existing: 0 }, gone: { spec: 3, existing: 3 } } });
    expect(s.holding).toBe(true);
  });
  it('scales up at once', () => {
    const s = stageApply(computeSplit(guide, 6), { source: 0, units: {} });
    expect(s).toEqual({ source: 2, units: [{ name: 'virtual-kubelet', replicas: 4 }], holding: false });
  });
});
