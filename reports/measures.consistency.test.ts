import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkAll } from '../core/checks/checks.ts';
import type { Expectation } from '../core/checks/expectations.ts';
import { costOf, describeCost, measure } from '../core/checks/measures.ts';
import { loadScenario } from '../scenarios/index.ts';
import { runBasis, simulate, systemFromScenario } from '../simulator/index.ts';
import { baseManifests } from '../simulator/system.ts';
import { decodeShardInput, encodeShardInput, runShard } from '../simulator/whatif-shard.ts';
import { toHtml } from './html.ts';
import { policyDiff, runFigures } from './diff.ts';
import { toMarkdown } from './markdown.ts';

const smoke = fileURLToPath(new URL('../scenarios/smoke.yaml', import.meta.url));

/**
 * One timeline, one figure: the smoke scenario (two windows with a gap, a reactionTime expectation
 * with a tolerance, failed ECI pods, your prices) taken through the expectations, the baseline diff, the simulator's
 * summary that whatif sweeps, and summary.md.
 */
describe('the same timeline gives the same figure everywhere', async () => {
  const scenario = await loadScenario(smoke);
  scenario.cost = { currency: 'CNY', ecs: [{ instanceType: 'ecs.g7.xlarge', pricePerNode: 900, per: 'month' }], eci: { vcpuPerSecond: 0.00005, gibPerSecond: 0.000006 } };
  // Failed ECI pods too (half of them, seeded): pods of the run that are not billed.
  scenario.nodes!.eci.failures = { ...scenario.nodes!.eci.failures, probability: 0.5, mode: 'failed' };
  const system = systemFromScenario(scenario);
  const basis = runBasis(scenario, system);
  const { timeline, summary } = simulate(scenario, system, { settings: basis.settings });
  const tl = timeline!;
  const m = measure(tl, basis.settings);
  const cost = costOf(m, basis.cost!);
  const extra: Expectation[] = [
    { type: 'eciPodHours', max: 1e6 },
    { type: 'eciCost', max: 1e6 },
  ];
  const results = Object.fromEntries(checkAll(tl, [...scenario.expectations, ...extra], undefined, undefined, basis).map((r) => [r.name.replace(/\(.*$/, ''), r]));

  it('has something to measure: a rise, ECI pods, failed ones, a gap between windows', () => {
    expect(m.slowestReaction).toBeDefined();
    expect(tl.samples.some((x) => x.pods.eci.failed > 0)).toBe(true);
    expect(m.eciPodHours).toBeGreaterThan(0);
    // Two 90-minute windows: only they are observed, not the 14.5 h between them.
    expect(m.observedSeconds).toBe(2 * 90 * 60);
  });

  it('expectations', () => {
    expect(results['reactionTime']!.value).toBe(m.slowestReaction!.seconds);
    expect(results['sloCoverage']!.value).toBe(m.sloCoveragePercent);
    expect(results['maxDirectionChangesPerHour']!.value).toBe(m.maxDirectionChangesPerHour.max);
    expect(results['eciPodHours']!.value).toBe(m.eciPodHours);
    expect(results['eciCost']!.value).toBe(cost.eci);
  });

  it('the baseline diff: its slowest reaction is the expectation\'s', () => {
    const f = runFigures(tl, { basis });
    expect(f).toMatchObject({ sloCoveragePercent: m.sloCoveragePercent, eciPodHours: m.eciPodHours, peakReplicas: m.peakReplicas, directionChanges: m.directionChanges, slowestReactionSeconds: results['reactionTime']!.value, ecsCost: cost.ecs, eciCost: cost.eci, totalCost: cost.total });
    const rows = Object.fromEntries(policyDiff(tl, tl, { basis }).map((r) => [r.figure, r]));
    expect(rows['slowest reaction']!.after).toBe(`${results['reactionTime']!.value!.toFixed(0)} s`);
    expect(rows['SLO coverage']!.after).toBe(`${m.sloCoveragePercent.toFixed(1)}%`);
  });

  it("the simulator's summary, with and without a timeline (whatif's rows), in every stepping", () => {
    const want = {
      sloCoveragePercent: m.sloCoveragePercent,
      eciPodHours: m.eciPodHours,
      peakReplicas: m.peakReplicas,
      directionChanges: m.directionChanges,
      slowestReactionSeconds: m.slowestReaction!.seconds,
      seconds: m.observedSeconds,
      costEcs: cost.ecs,
      costEci: cost.eci,
      costTotal: cost.total,
    };
    expect(summary).toMatchObject(want);
    for (const stepping of ['precomputed', 'event', 'fixed'] as const) {
      // As a sweep runs it: no timeline, the settings taken from the scenario by simulate itself.
      expect(simulate(scenario, system, { timeline: false, stepping }).summary, stepping).toMatchObject(want);
    }
  });

  it("a whatif row (an --on-cluster shard, whole days) is the measure of that day's timeline", () => {
    const day = simulate(scenario, system, { days: 1, settings: basis.settings }).timeline!;
    const dm = measure(day, basis.settings);
    const dc = costOf(dm, basis.cost!);
    expect(dm.observedSeconds).toBe(86_400);
    // The scenario, its prices with it, through the shard input's JSON; target=1000 is the scenario's own.
    const input = decodeShardInput(encodeShardInput({ scenario, manifests: baseManifests(), vary: ['target=1000'], days: 1 }));
    const [row] = runShard(input, 0, 1);
    expect(row!.summary).toMatchObject({ sloCoveragePercent: dm.sloCoveragePercent, eciPodHours: dm.eciPodHours, peakReplicas: dm.peakReplicas, directionChanges: dm.directionChanges, slowestReactionSeconds: dm.slowestReaction?.seconds ?? NaN, seconds: dm.observedSeconds, costTotal: dc.total });
  });

  it('summary.md', () => {
    const md = toMarkdown(tl, Object.values(results), { basis });
    expect(md).toContain(`SLO coverage ${m.sloCoveragePercent.toFixed(1)}%`);
    expect(md).toContain(`ECI pod-hours ${m.eciPodHours.toFixed(2)}`);
    expect(md).toContain(`slowest reaction ${m.slowestReaction!.seconds.toFixed(0)} s`);
    expect(md).toContain(`slowest reaction ${results['reactionTime']!.value!.toFixed(0)}s`);
    expect(md).toContain(`Cost ${describeCost(cost)}`);
    expect(describeCost(cost)).toMatch(/^\d+\.\d\d CNY\/3 h \(ECS /);
    const html = toHtml(tl, Object.values(results), { basis });
    expect(html).toContain(`SLO coverage ${m.sloCoveragePercent.toFixed(1)}%`);
    expect(html).toContain(`Cost ${describeCost(cost)}`);
  });
});
