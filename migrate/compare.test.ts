import { describe, expect, it } from 'vitest';
import { checkAll } from '../core/checks/checks.ts';
import { runMeasures } from '../core/checks/measures.ts';
import type { Timeline } from '../core/timeline/format.ts';
import { loadScenario } from '../scenarios/index.ts';
import { simulate } from '../simulator/simulate.ts';
import { runBasis, systemFromScenario } from '../simulator/system.ts';
import { compareRuns, type RunView } from './compare.ts';
import { CONVERTERS } from './index.ts';

const smoke = await loadScenario(new URL('../scenarios/smoke.yaml', import.meta.url).pathname);
const sys = systemFromScenario(smoke);
const basis = runBasis(smoke, sys);
const tl = simulate(smoke, sys, { settings: basis.settings }).timeline!;
const view = (timeline: Timeline, kind = 'ElasticWorkload'): RunView => ({ kind, timeline, basis, results: checkAll(timeline, smoke.expectations, undefined, basis.tiers, basis) });
const opts = { scenario: 'smoke.yaml', how: 'simulated', notCarried: ['x'], overridden: [] };

describe('the side-by-side table', () => {
  it('the same run on both sides: every figure equal, no difference beyond the noise', () => {
    const c = compareRuns(view(tl), view(tl, 'UnitedDeployment'), CONVERTERS.uniteddeployment, opts);
    expect(c.differences).toEqual([]);
    expect(c.passed).toBe(true);
    const { measures, cost } = runMeasures(tl, basis);
    const row = (name: string) => c.markdown.split('\n').find((l) => l.startsWith(`| ${name}`));
    expect(row('SLO coverage')).toBe(`| SLO coverage | ${measures.sloCoveragePercent.toFixed(1)} % | ${measures.sloCoveragePercent.toFixed(1)} % |`);
    expect(row('ECI cost')).toContain(`| ${cost!.eci.toFixed(2)} | ${cost!.eci.toFixed(2)} |`);
    expect(row('tier 1 (ECI): peak replicas')).toMatch(/\| \d+ \(unit\) \| \d+ \(unit\) \|$/);
    expect(c.markdown).toMatch(/- No figure differs beyond the noise/);
    expect(c.markdown).toMatch(/- Not carried over: x\./);
    expect(smoke.expectations.every((e) => c.markdown.includes(`| expectation ${checkAll(tl, [e])[0]!.name} | pass | pass |`))).toBe(true);
  });

  it('a source pod deleted while a unit pod lived: the order verdict differs, with the successor\'s reason', () => {
    const t = tl.samples.at(-1)!.t;
    const broken: Timeline = { ...tl, events: [...tl.events, { kind: 'event', t: t - 2000, type: 'pod.created', object: 'e1', owner: 'nginx-unit-virtual-kubelet' }, { kind: 'event', t: t - 1000, type: 'pod.deleted', object: 's1', owner: 'source' }] };
    const c = compareRuns(view(tl), view(broken, 'ResourcePolicy'), CONVERTERS.resourcepolicy, opts);
    expect(c.passed).toBe(false);
    expect(c.differences).toEqual([expect.stringMatching(/^scale-down order kept against violated: source pod s1 deleted at .* — a ResourcePolicy's scale-in order \(the last unit first\) is best effort/)]);
    expect(c.markdown).toMatch(/\| expectation scaleDownOrder \| pass \| \*\*FAIL\*\*: source pod s1 was deleted/);
    // With the simulator's runs beside: each difference also says what the simulator measured.
    const withSim = compareRuns(view(tl), view(broken, 'ResourcePolicy'), CONVERTERS.resourcepolicy, { ...opts, simulated: [view(tl), view(tl, 'ResourcePolicy')] });
    expect(withSim.differences[0]).toMatch(/; simulated, scale-down order kept against kept\.$/);
  });
});
