import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeCurve } from '../scenarios/curve.ts';
import { parseScenario } from '../scenarios/index.ts';
import { HpaRun, RecommendationWindow, newHpaState, reconcile, type Behavior, type HpaFlags, type HpaInput, type HpaSpec } from '../kinds/scaler/hpa/index.ts';
import { simulate, systemFromScenario, type SystemConfig } from './index.ts';

// The optimised paths (precomputed stepping: shared per-step series, HpaRun, the monotonic window)
// must decide exactly what the reference does — fixed stepping and reconcile on a plain history —
// on any configuration and curve, not only on the shipped scenarios.

const behavior: fc.Arbitrary<Behavior> = fc.record(
  {
    scaleUp: fc.record({ stabilizationWindowSeconds: fc.integer({ min: 0, max: 300 }), policies: fc.array(fc.record({ type: fc.constantFrom('Pods' as const, 'Percent' as const), value: fc.integer({ min: 1, max: 200 }), periodSeconds: fc.integer({ min: 1, max: 120 }) }), { minLength: 1, maxLength: 2 }) }, { requiredKeys: [] }),
    scaleDown: fc.record({ stabilizationWindowSeconds: fc.integer({ min: 0, max: 600 }), selectPolicy: fc.constantFrom('Max' as const, 'Min' as const, 'Disabled' as const) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

const spec: fc.Arbitrary<HpaSpec> = fc
  .record({
    minReplicas: fc.integer({ min: 0, max: 3 }),
    span: fc.integer({ min: 0, max: 20 }),
    metrics: fc.array(fc.record({ type: fc.constantFrom('Value' as const, 'AverageValue' as const), target: fc.integer({ min: 200, max: 5000 }) }), { minLength: 1, maxLength: 2 }),
    behavior: fc.option(behavior, { nil: undefined }),
  })
  .map(({ minReplicas, span, metrics, behavior: b }) => ({ minReplicas, maxReplicas: Math.max(1, minReplicas + span), metrics, ...(b ? { behavior: b } : {}) }));

const flags: fc.Arbitrary<HpaFlags & { syncPeriodSeconds: number }> = fc.record({
  tolerance: fc.constantFrom(0, 0.05, 0.1, 0.3),
  downscaleStabilizationSeconds: fc.constantFrom(0, 15, 60, 300, 600),
  syncPeriodSeconds: fc.constantFrom(5, 7.5, 15, 30),
  kubernetesVersion: fc.constantFrom('1.32', '1.34', '1.35', '1.36'),
  featureGates: fc.constantFrom({}, { HPAScaleToZero: true }),
});

describe('RecommendationWindow', () => {
  it('answers the maximum at or after each cutoff, as a scan of every entry does', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ dt: fc.integer({ min: 0, max: 40 }), replicas: fc.integer({ min: -3, max: 30 }), window: fc.integer({ min: 0, max: 400 }) }), { maxLength: 300 }), (ops) => {
        const w = new RecommendationWindow();
        const all: { t: number; replicas: number }[] = [];
        let now = 0;
        let cutoff = -Infinity;
        for (const op of ops) {
          now += op.dt;
          // Cutoffs only move forward, as now minus a constant window does.
          cutoff = Math.max(cutoff, now - op.window);
          const want = Math.max(-Infinity, ...all.filter((e) => e.t >= cutoff).map((e) => e.replicas));
          expect(w.maxSince(cutoff)).toBe(want);
          w.push(now, op.replicas);
          all.push({ t: now, replicas: op.replicas });
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('HpaRun', () => {
  const step = fc.record({
    dt: fc.constantFrom(1, 5, 15, 15, 15, 60),
    // Levels: a factor of the target (× replicas for AverageValue), often inside the tolerance band,
    // or a raw value, or none.
    values: fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(0, 0.5, 0.9, 0.95, 1, 1, 1, 1.05, 1.1, 1.3, 2, 4) }, { weight: 4, arbitrary: fc.integer({ min: 0, max: 60_000 }).map((v) => ({ raw: v })) }, { weight: 1, arbitrary: fc.constantFrom(undefined, NaN) }), { minLength: 2, maxLength: 2 }),
    follow: fc.integer({ min: 0, max: 9 }),
    other: fc.integer({ min: 0, max: 25 }),
    ready: fc.integer({ min: 0, max: 100 }),
    podCount: fc.constantFrom(undefined, undefined, undefined, 0),
  });

  it('decides as reconcile on a plain history, sync after sync, through quiet or sync', () => {
    let quiets = 0;
    fc.assert(
      fc.property(spec, flags, fc.array(step, { minLength: 1, maxLength: 120 }), (sp, fl, steps) => {
        const run = new HpaRun(sp, fl);
        const state = newHpaState();
        let now = 1000;
        let replicas = Math.max(1, sp.minReplicas);
        for (const s of steps) {
          now += s.dt;
          const values = sp.metrics.map((m, i) => {
            const l = s.values[i];
            if (typeof l === 'object') return l.raw;
            return l === undefined || Number.isNaN(l) ? l : Math.round(l * m.target * (m.type === 'AverageValue' ? replicas : 1));
          });
          const input: HpaInput = { now, spec: sp, flags: fl, specReplicas: replicas, currentReplicas: replicas, readyPods: Math.round((s.ready / 100) * replicas), values, ...(s.podCount !== undefined ? { podCount: s.podCount } : {}) };
          const want = reconcile(input, state);
          // The simulator tries `quiet` first (one value, no podCount) and runs `sync` when it declines.
          const v = input.values[0];
          if (s.podCount === undefined && v !== undefined && run.quiet(now, replicas, v, input.readyPods)) {
            expect(want).toMatchObject({ desired: replicas, rescale: false });
            quiets++;
          } else {
            expect(run.sync(input)).toBe(want.desired);
            expect(run.rescale).toBe(want.rescale);
          }
          // Mostly the controller's own rescale, sometimes somebody else's edit of the scale.
          replicas = s.follow > 0 ? want.desired : s.other;
        }
      }),
      { numRuns: 400 },
    );
    // The quiet path was taken, not only declined (how often depends on the run's random cases).
    expect(quiets).toBeGreaterThan(0);
  });

  it('takes a steady sync quietly and leaves a rescale to sync', () => {
    const sp: HpaSpec = { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'AverageValue', target: 1000 }] };
    const fl = { tolerance: 0.1, downscaleStabilizationSeconds: 300 };
    const run = new HpaRun(sp, fl);
    const input = (now: number, value: number): HpaInput => ({ now, spec: sp, flags: fl, specReplicas: 4, currentReplicas: 4, readyPods: 4, values: [value] });
    // Not before the history is seeded (the first sync does that).
    expect(run.quiet(0, 4, 4000, 4)).toBe(false);
    expect(run.sync(input(0, 4000))).toBe(4);
    expect(run.quiet(15, 4, 4100, 4)).toBe(true);
    // 7,000 devices at 1,000 per replica: a rescale to 7, which quiet declines without recording.
    expect(run.quiet(30, 4, 7000, 4)).toBe(false);
    expect(run.sync(input(30, 7000))).toBe(7);
    expect(run.rescale).toBe(true);
    // Back at 4,000: the window still holds 7 for 300 s, so 4 replicas would be a rescale (to 7).
    expect(run.quiet(45, 4, 4000, 4)).toBe(false);
  });
});

describe('precomputed stepping', () => {
  const base = parseScenario(
    'name: prop\ncurve: {steps: [["00:00", 1000], ["12:00", 1000]]}\nwindows: [{start: "07:00", end: "08:00"}]\nhpa: {minReplicas: 1, maxReplicas: 12, target: {type: AverageValue, value: 1000}}\nelasticWorkload: {sourceMax: 2}\n',
    'prop.yaml',
  );
  const system = fc.record({
    hpa: spec,
    flags,
    sourceMax: fc.integer({ min: 0, max: 6 }),
    exporter: fc.constantFrom(5, 15, 60),
    scrape: fc.constantFrom(5, 15, 30),
    sampleEvery: fc.constantFrom(5, 15, 30),
    failures: fc.record({ probability: fc.constantFrom(0, 0.2, 0.5), mode: fc.constantFrom('pending' as const, 'failed' as const) }),
    ecsNodes: fc.integer({ min: 0, max: 3 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
  });
  const curve = fc.record({ step: fc.constantFrom(60, 300, 900), values: fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 2, maxLength: 120 }) });
  const window = fc.record({ start: fc.integer({ min: 0, max: 86_400 - 3600 }), length: fc.integer({ min: 60, max: 5400 }) });

  const apply = (sys: SystemConfig, c: typeof system extends fc.Arbitrary<infer T> ? T : never): SystemConfig => {
    const s = structuredClone(sys);
    s.hpa = c.hpa;
    s.flags = c.flags;
    s.placement.tiers[0]!.max = c.sourceMax;
    s.pipeline.exporterIntervalSeconds = c.exporter;
    s.pipeline.scrapeIntervalSeconds = c.scrape;
    s.sampleEverySeconds = c.sampleEvery;
    s.nodes.eci.failures = { ...s.nodes.eci.failures, ...c.failures };
    if (s.nodes.ecs[0]) s.nodes.ecs[0].count = c.ecsNodes;
    s.seed = c.seed;
    return s;
  };

  it('gives the timeline and summary of fixed stepping on random systems, curves and windows, two systems sharing one curve', async () => {
    const sc = await base;
    const sys0 = systemFromScenario(sc);
    fc.assert(
      fc.property(system, system, curve, window, (a, b, cv, w) => {
        const s = { ...sc, curve: makeCurve('prop', cv.step, cv.values), windows: [{ start: w.start, end: Math.min(86_400, w.start + w.length) }] };
        for (const c of [a, b]) {
          const sys = apply(sys0, c);
          const fixed = simulate(s, sys, { stepping: 'fixed' });
          expect(simulate(s, sys, { stepping: 'precomputed' })).toEqual(fixed);
          expect(simulate(s, sys, { stepping: 'precomputed', timeline: false }).summary).toEqual(fixed.summary);
        }
      }),
      { numRuns: 60 },
    );
  });
});
