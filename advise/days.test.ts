import { describe, expect, it } from 'vitest';
import { makeCurve, type CurveDay } from '../scenarios/curve.ts';
import type { Scenario } from '../scenarios/index.ts';
import { aggregate, dayScenario, holdoutCount, holdoutVerdict, onDays, splitHoldout, usableDays } from './days.ts';
import { bruteForce, gridSize, search, type Candidate, type Grid, type Outcome } from './search.ts';

/**
 * A closed-form stand-in for the simulator (as in search.test.ts): the HPA holds
 * clamp(ceil(need / target), min, max) replicas, a scale-down lags by the stabilization in samples,
 * the first sourceMax replicas go to ECS nodes paid whether used or not (4 pods a node), the rest to
 * ECI paid by the sample. Passed means every sample was covered at least `minCover` percent.
 */
function model(curve: number[], prices = { ecsPerNode: 40, eciPerSample: 1 }) {
  return (c: Candidate): Outcome => {
    const lag = Math.round(c.stabilization / 60);
    const wanted = curve.map((d) => Math.min(c.maxReplicas, Math.max(c.minReplicas, Math.ceil(d / c.target))));
    const held = wanted.map((_, i) => Math.max(...wanted.slice(Math.max(0, i - lag), i + 1)));
    let covered = 0;
    let eci = 0;
    for (let i = 0; i < curve.length; i++) {
      const onEci = Math.max(0, held[i]! - c.sourceMax);
      if ((Math.min(held[i]! - onEci, 4 * c.ecsNodes) + onEci) * 1000 >= curve[i]!) covered++;
      eci += onEci;
    }
    return { cost: c.ecsNodes * prices.ecsPerNode + eci * prices.eciPerSample, sloCoverage: (100 * covered) / curve.length, passed: true, peakReplicas: Math.max(...held) };
  };
}

const day = (peak: number, n: number, phase: number) => Array.from({ length: n }, (_, i) => Math.round(peak * (0.15 + 0.85 * Math.max(0, Math.sin((Math.PI * (i + phase)) / n)) ** 2)));
const grid: Grid = { target: [400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1400, 1600], minReplicas: [1, 2, 3, 4], maxReplicas: [3, 5, 8, 10, 12, 16], stabilization: [0, 60, 180, 300], sourceMax: [0, 1, 2, 4, 8], ecsNodes: [0, 1, 2], podsPerNode: 4 };

describe('advise over several days', () => {
  it("the pruned search on the days' aggregate finds the brute force's optimum, exploring every candidate", () => {
    // Two different days: a weekday-like one and a later, lower peak; neither's optimum is the other's.
    const days = [day(9_600, 96, 0), day(6_500, 96, 20), day(8_000, 80, 9)];
    for (const [minSlo, k] of [[80, 2], [95, 3]] as const) {
      const evaluate = onDays(days.slice(0, k), (d, c) => model(d)(c));
      const reference = bruteForce(grid, evaluate, { minSlo });
      const r = search(grid, evaluate, { minSlo });
      expect(reference).not.toBeNull();
      expect(r.best?.outcome.cost).toBe(reference!.outcome.cost);
      expect(r.best?.outcome.sloCoverage).toBeGreaterThanOrEqual(minSlo);
      expect(r.explored).toBe(gridSize(grid));
      expect(r.simulated).toBeLessThan(gridSize(grid) / 3);
      // The answer passes on every day, not only on average.
      for (const d of days.slice(0, k)) expect(model(d)(r.best!.candidate).sloCoverage).toBeGreaterThanOrEqual(minSlo);
    }
    // The second day alone would advise otherwise: the days together decide.
    const together = search(grid, onDays(days.slice(0, 2), (d, c) => model(d)(c)), { minSlo: 80 }).best!.candidate;
    expect(bruteForce(grid, model(days[1]!), { minSlo: 80 })!.candidate).not.toEqual(together);
  });

  it('aggregates as the mean daily cost, the worst day, every day passing and the highest peak', () => {
    const a = aggregate([
      { cost: 10, sloCoverage: 99, passed: true, peakReplicas: 4 },
      { cost: 20, sloCoverage: 90, passed: true, peakReplicas: 7 },
      { cost: 30, sloCoverage: 95, passed: false, peakReplicas: 5 },
    ]);
    expect(a).toEqual({ cost: 20, sloCoverage: 90, passed: false, peakReplicas: 7 });
  });

  it('a candidate dominated on every day is dominated in the aggregate (what the pruning needs)', () => {
    // Random per-day outcomes, each day's b no cheaper and covering no more than a.
    let seed = 7;
    const r = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + Math.floor(r() * 5);
      const a: Outcome[] = Array.from({ length: n }, () => ({ cost: r() * 100, sloCoverage: r() * 100, passed: r() > 0.3, peakReplicas: Math.floor(r() * 10) }));
      const b = a.map((o) => ({ cost: o.cost + r() * 5, sloCoverage: o.sloCoverage * r(), passed: o.passed && r() > 0.5, peakReplicas: o.peakReplicas }));
      const [A, B] = [aggregate(a), aggregate(b)];
      expect(B.cost).toBeGreaterThanOrEqual(A.cost);
      expect(B.sloCoverage).toBeLessThanOrEqual(A.sloCoverage);
      if (B.passed) expect(A.passed).toBe(true);
    }
  });

  it('a fit on two days fails a held-out third day with a higher peak', () => {
    const days = [day(8_000, 96, 0), day(7_800, 96, 3), day(11_000, 96, 0)];
    const { train, held } = splitHoldout(days, holdoutCount(days.length, undefined, 'h.csv'));
    expect(held).toEqual([days[2]]);
    const minSlo = 99;
    const best = search(grid, onDays(train, (d, c) => model(d)(c)), { minSlo }).best!;
    expect(best).not.toBeNull();
    const scenarios = held.map((d, i) => ({ day: `2026-01-0${7 + i}`, curve: d }) as unknown as Scenario);
    const at = (c: Candidate) => (s: Scenario) => model((s as unknown as { curve: number[] }).curve)(c);
    const v = holdoutVerdict(scenarios, { current: at({ ...best.candidate, target: 400, maxReplicas: 16 }), recommended: at(best.candidate) }, minSlo)!;
    expect(v.policy).toBe('recommended');
    expect(v.days).toEqual(['2026-01-07']);
    expect(v.passed).toBe(false);
    expect(v.perDay[0]!.sloCoverage).toBeLessThan(minSlo);
    // A generous policy holds on the same day: the check tells the two apart.
    expect(v.current.passed).toBe(true);
  });
});

describe('days of history', () => {
  const curve = makeCurve('c', 60, [1, 2]);
  const cut = (day: string | undefined, from: number, to: number): CurveDay => ({ day, curve, from, to });

  it('keeps the days that cover every window and says why the others are left out', () => {
    const windows = [{ start: 6.5 * 3600, end: 8 * 3600 }, { start: 22.5 * 3600, end: 86_400 }];
    const { kept, left } = usableDays([cut('2026-01-04', 14 * 3600, 86_400), cut('2026-01-05', 0, 86_400), cut('2026-01-06', 0, 23 * 3600)], windows, '2026-01-05');
    expect(kept.map((d) => d.day)).toEqual(['2026-01-05']);
    expect(left).toEqual([
      { day: '2026-01-04', why: 'its rows cover 14:00–24:00, not the window 06:30–08:00' },
      { day: '2026-01-06', why: 'its rows cover 00:00–23:00, not the window 22:30–24:00' },
    ]);
    // A window-only coverage is enough: the night is not needed for the morning.
    expect(usableDays([cut(undefined, 6 * 3600, 9 * 3600)], [windows[0]!], '2026-01-05').kept.map((d) => d.day)).toEqual(['2026-01-05']);
  });

  it('holds out one of two or more days by default, none of one, and refuses to hold out every day', () => {
    expect(holdoutCount(3, undefined, 'h.csv')).toBe(1);
    expect(holdoutCount(1, undefined, 'h.csv')).toBe(0);
    expect(holdoutCount(5, 3, 'h.csv')).toBe(3);
    expect(() => holdoutCount(3, 3, 'h.csv')).toThrow(/--holdout 3: h\.csv has 3 usable day\(s\), and at least one must be left to search on/);
    expect(() => holdoutCount(1, 1, 'h.csv')).toThrow(/--holdout 1/);
    expect(splitHoldout([1, 2, 3, 4], 2)).toEqual({ train: [1, 2], held: [3, 4] });
  });

  it("a day's scenario runs on that date in the scenario's zone, its curve × growth", () => {
    const s = { day: '2026-01-05', timezone: 'Asia/Shanghai', dayStartMs: 0, curve: makeCurve('x', 60, [0]) } as unknown as Scenario;
    const d = dayScenario(s, { day: '2026-03-02', curve: makeCurve('h', 60, [100, 200]) }, 1.5);
    expect(d.day).toBe('2026-03-02');
    expect(d.dayStartMs).toBe(Date.parse('2026-03-01T16:00:00Z'));
    expect(d.curve.values).toEqual([150, 300]);
    expect(s.day).toBe('2026-01-05');
  });
});
