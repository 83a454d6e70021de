import { describe, expect, it } from 'vitest';
import { bruteForceFamilies, searchFamilies, type Variant } from './families.ts';
import { cronJobs, type FloorShape } from './schedule.ts';
import { gridSize, type Candidate, type Grid, type Outcome } from './search.ts';

/**
 * A closed-form stand-in for the simulator with the two families' knobs: each sample the HPA
 * proposes ceil(need / target) unless the ratio need / (target × current) lies within
 * [1 − 0.1, 1 + scale-up tolerance] (then it keeps its count), clamped to the floor — the CronHPA's
 * job floor at that hour when the variant has a schedule — and the ceiling; a scale-down lags by the
 * stabilization. The first sourceMax replicas go to ECS nodes (4 pods a node, paid whether used or
 * not), the rest to ECI, paid by the sample; a sample is covered when the replicas serve its need.
 */
function model(curve: number[], capacity: number, prices: { ecsPerNode: number; eciPerSample: number }) {
  const hourOf = (i: number) => Math.floor((i * 24) / curve.length);
  return (v: Variant, c: Candidate): Outcome => {
    const lag = Math.round(c.stabilization / 60);
    const up = v.scaleUpTolerance ?? 0.1;
    // The jobs as the CronHPA runs them: the last job at or before the hour sets the floor.
    const jobs = v.shape ? cronJobs(v.shape, c.minReplicas, c.maxReplicas) : [];
    const floorAt = (h: number) => {
      let f = c.minReplicas;
      for (const j of jobs) if (Number(j.schedule.split(' ')[2]) <= h) f = j.targetSize;
      return f;
    };
    const wanted: number[] = [];
    const held: number[] = [];
    let r = Math.max(c.minReplicas, Math.ceil(curve[0]! / c.target));
    let covered = 0;
    let eci = 0;
    for (let i = 0; i < curve.length; i++) {
      const ratio = curve[i]! / (c.target * r);
      const proposal = ratio > 1 + up || ratio < 0.9 ? Math.ceil(curve[i]! / c.target) : r;
      wanted.push(Math.min(c.maxReplicas, Math.max(floorAt(hourOf(i)), proposal)));
      r = Math.max(...wanted.slice(Math.max(0, i - lag), i + 1));
      held.push(r);
      const onEci = Math.max(0, r - c.sourceMax);
      const ready = Math.min(r - onEci, 4 * c.ecsNodes) + onEci;
      if (ready * capacity >= curve[i]!) covered++;
      eci += onEci;
    }
    return { cost: c.ecsNodes * prices.ecsPerNode + eci * prices.eciPerSample, sloCoverage: (100 * covered) / curve.length, passed: true, peakReplicas: Math.max(...held) };
  };
}

/** A day of 96 quarter-hours: a night floor, a sharp rise at 07:00, a plateau, an evening fall. */
const rampDay = (peak: number, night: number) => Array.from({ length: 96 }, (_, i) => (i < 28 ? night : i < 30 ? night + ((peak - night) * (i - 27)) / 2 : i < 80 ? peak * (0.9 + 0.1 * Math.sin(i / 3)) : night)).map(Math.round);
const sineDay = (peak: number, phase: number) => Array.from({ length: 96 }, (_, i) => Math.round(peak * (0.15 + 0.85 * Math.max(0, Math.sin((Math.PI * (i + phase)) / 96)) ** 2)));

const shape = (name: string, steps: [number, number][]): FloorShape => ({ name, fraction: 1, steps: steps.map(([hour, replicas]) => ({ hour, replicas })) });
const variants: Variant[] = [
  { family: 'hpa' },
  ...[0.09, 0.06, 0.03, 0.01, 0].map((t) => ({ family: 'hpa' as const, scaleUpTolerance: t })),
  { family: 'hpa+cronhpa', shape: shape('morning', [[0, 1], [7, 8], [20, 1]]) },
  { family: 'hpa+cronhpa', shape: shape('day', [[0, 1], [6, 5], [8, 9], [20, 1]]) },
];

const onePool: Grid = { target: [400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1400, 1600], minReplicas: [1, 2, 3, 4], maxReplicas: [3, 5, 8, 10, 12, 16], stabilization: [0, 60, 180, 300], sourceMax: [0, 2, 4, 8], ecsNodes: [2], podsPerNode: 4 };
const pools: Grid = { ...onePool, ecsNodes: [0, 1, 2], stabilization: [0, 180] };

describe('advise families: scale-up tolerance and CronHPA schedules', () => {
  const cases = [
    { name: 'a sharp morning ramp, one pool', curve: rampDay(9_000, 1_200), grid: onePool, prices: { ecsPerNode: 30, eciPerSample: 1 }, minSlo: 97 },
    { name: 'a sharp morning ramp, three pool sizes', curve: rampDay(9_000, 1_200), grid: pools, prices: { ecsPerNode: 30, eciPerSample: 1 }, minSlo: 97 },
    { name: 'a weekday-like sine, one pool', curve: sineDay(9_600, 0), grid: onePool, prices: { ecsPerNode: 40, eciPerSample: 1 }, minSlo: 90 },
    { name: 'a shifted sine, dear ECS', curve: sineDay(7_000, 17), grid: pools, prices: { ecsPerNode: 800, eciPerSample: 1 }, minSlo: 95 },
  ];
  for (const k of cases) {
    it(`finds the brute force's optimum over every family with fewer evaluations: ${k.name}`, () => {
      let calls = 0;
      const m = model(k.curve, 1000, k.prices);
      const evaluate = (v: Variant, c: Candidate) => {
        calls++;
        return m(v, c);
      };
      const reference = bruteForceFamilies(k.grid, variants, m, { minSlo: k.minSlo });
      const r = searchFamilies(k.grid, variants, evaluate, { minSlo: k.minSlo });
      expect(reference).not.toBeNull();
      expect(r.best?.outcome.cost).toBe(reference!.outcome.cost);
      expect(r.best!.outcome.sloCoverage).toBeGreaterThanOrEqual(k.minSlo);
      expect(r.candidates).toBe(gridSize(k.grid) * variants.length);
      expect(r.explored).toBe(r.candidates);
      expect(calls).toBe(r.simulated);
      expect(r.simulated).toBeLessThan(r.candidates / 3);
    });
  }

  it('prunes the smaller scale-up tolerances when their cheapest corner is already dearer', () => {
    // Cost falls with the tolerance and every candidate passes: the flag's variant finds the bound,
    // and the first tolerance whose corner costs at least that ends the tolerance search.
    const evaluate = (v: Variant, c: Candidate): Outcome => ({ cost: 100 - (v.scaleUpTolerance ?? 0.1) * 100 + c.minReplicas + c.maxReplicas / 100 - c.target / 1e4 + c.stabilization / 1e4, sloCoverage: 100, passed: true, peakReplicas: c.maxReplicas });
    const small: Grid = { target: [400, 800], minReplicas: [1, 2], maxReplicas: [4], stabilization: [0], sourceMax: [0], ecsNodes: [1] };
    const tol = [0.08, 0.05, 0.02].map((t) => ({ family: 'hpa' as const, scaleUpTolerance: t }));
    const r = searchFamilies(small, [{ family: 'hpa' }, ...tol], evaluate, { minSlo: 0 });
    expect(r.best?.policy.scaleUpTolerance).toBeNull();
    expect(r.explored).toBe(r.candidates);
    // The flag's grid (its rows' ends, and the floor-2 corner), then the two first corners; the rest proven.
    expect(r.simulated).toBeLessThan(gridSize(small) + 3);
  });
});
