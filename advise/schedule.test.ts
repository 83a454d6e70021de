import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { makeCurve } from '../scenarios/curve.ts';
import { loadScenario } from '../scenarios/index.ts';
import { programSource } from '../manifests/files.ts';
import { loadSystemManifests, systemFromScenario } from '../simulator/index.ts';
import { currentCandidate, outcomeOf } from './evaluate.ts';
import { applyPolicy, policyOf, searchFamilies, type Variant } from './families.ts';
import { kustomization } from './patch.ts';
import { cronHpaObject, cronJobs, describeJobs, floorShapes, hourlyNeed, leadSeconds, mergeSteps } from './schedule.ts';
import type { Grid } from './search.ts';

describe('floor schedules from the daily shape', () => {
  it("takes each hour's peak ahead by the lead, in replicas", () => {
    // 1,000 devices until 07:00, 8,000 after; one replica serves 1,000.
    const curve = makeCurve('step', 60, Array.from({ length: 1440 }, (_, m) => (m < 420 ? 1000 : 8000)));
    const need = hourlyNeed(curve, 1000, 300);
    // Hour 6 serves 06:05–07:05 (the lead): it already needs the morning's 8.
    expect(need.slice(0, 6)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(need[6]).toBe(8);
    expect(need[23]).toBe(8);
  });

  it('merges hours into the steps that add the fewest replica-hours', () => {
    const hourly = [1, 1, 1, 1, 1, 1, 6, 9, 9, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 5, 3, 2, 1, 1];
    expect(mergeSteps(hourly, 1)).toEqual([{ hour: 0, replicas: 9 }]);
    // Three steps: the night, the day at its peak, the evening's tail.
    expect(mergeSteps(hourly, 3)).toEqual([{ hour: 0, replicas: 1 }, { hour: 6, replicas: 9 }, { hour: 20, replicas: 3 }]);
    const four = mergeSteps(hourly, 4);
    const waste = (steps: { hour: number; replicas: number }[]) => hourly.reduce((a, v, h) => a + [...steps].reverse().find((s) => s.hour <= h)!.replicas - v, 0);
    expect(waste(four)).toBeLessThan(waste(mergeSteps(hourly, 3)));
    expect(four).toHaveLength(4);
  });

  it('makes jobs within the floor and ceiling, one hand-back at midnight only when nothing sets the night', () => {
    const shape = { name: 's', fraction: 1, steps: [{ hour: 0, replicas: 1 }, { hour: 6, replicas: 14 }, { hour: 19, replicas: 5 }] };
    expect(cronJobs(shape, 2, 10)).toEqual([
      { name: 'floor-0600', schedule: '0 0 6 * * *', targetSize: 10 },
      { name: 'floor-1900', schedule: '0 0 19 * * *', targetSize: 5 },
      { name: 'handback-0000', schedule: '0 0 0 * * *', targetSize: 2 },
    ]);
    // A raised night: its own job at 00:00 sets it, no second job at that second.
    const night = { name: 'n', fraction: 1, steps: [{ hour: 0, replicas: 3 }, { hour: 7, replicas: 8 }, { hour: 20, replicas: 4 }] };
    expect(cronJobs(night, 1, 10).map((j) => j.schedule)).toEqual(['0 0 0 * * *', '0 0 7 * * *', '0 0 20 * * *']);
    expect(cronJobs(shape, 20, 30)).toEqual([]);
    expect(describeJobs(cronJobs(shape, 2, 10), 'Asia/Shanghai', 2)).toBe("Every day (Asia/Shanghai): at 06:00 the floor rises to 10 replicas; at 19:00 the floor rises to 5 replicas; at 00:00 it goes back to the HPA's own minReplicas (2). Between these times the HPA scales as usual above the floor.");
  });
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ebbflow-advise-schedule-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Quiet nights, a sharp rise at 07:00 (1,500 → 9,000 devices in 5 minutes), a plateau: what a floor schedule is for. */
function writeRampScenario(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const rows = Array.from({ length: 1440 }, (_, m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')},${m < 420 ? 1500 : m < 425 ? 1500 + (7500 * (m - 419)) / 5 : 9000}`);
  writeFileSync(join(dir, 'ramp.csv'), `time,devices\n${rows.join('\n')}\n`);
  writeFileSync(
    join(dir, 'scenario.yaml'),
    stringify({
      name: 'ramp',
      curve: { file: 'ramp.csv' },
      windows: [{ start: '00:00', end: '12:00' }],
      timezone: 'Asia/Shanghai',
      devicesPerReplica: 1000,
      nodes: { ecs: [{ name: 'ecs', count: 0 }], eci: { startLatency: { startSeconds: 10, imagePull: { min: 2, max: 8 }, jitterSeconds: 1 } } },
      elasticWorkload: { sourceMax: 0 },
      expectations: [{ type: 'overflowOnlyOnVirtualNode' }],
    }),
  );
  return join(dir, 'scenario.yaml');
}

describe('HPA + CronHPA on a sharp morning ramp, in the simulator', () => {
  it('the search finds the CronHPA family cheaper than the HPA alone, and the rendered overlay holds its CronHPA', async () => {
    const file = writeRampScenario(join(tmp, 'ramp'));
    const scenario = await loadScenario(file);
    const manifests = await loadSystemManifests();
    const base = systemFromScenario(scenario, manifests);
    const hpa = { name: manifests.hpa.metadata.name, namespace: manifests.hpa.metadata.namespace };
    const opts = { timeZone: scenario.timezone ?? 'UTC', hpa };
    const evaluate = (v: Variant, c: Parameters<typeof policyOf>[1]) => outcomeOf(scenario, applyPolicy(base, policyOf(v, c), opts), {});
    const grid: Grid = { target: [800, 1000, 1200, 1500], minReplicas: [1, 2, 4, 6, 8, 9, 10], maxReplicas: [12], stabilization: [0], sourceMax: [0], ecsNodes: [0] };
    const minSlo = 99.5;
    const shapes = floorShapes(hourlyNeed(scenario.curve, base.devicesPerReplica, leadSeconds(base)));
    expect(shapes.length).toBeGreaterThan(0);
    const hpaOnly = searchFamilies(grid, [{ family: 'hpa' }], evaluate, { minSlo });
    const both = searchFamilies(grid, [{ family: 'hpa' }, ...shapes.map((shape) => ({ family: 'hpa+cronhpa' as const, shape }))], evaluate, { minSlo });
    expect(hpaOnly.best).not.toBeNull();
    expect(both.best?.policy.family).toBe('hpa+cronhpa');
    expect(both.best!.outcome.cost).toBeLessThan(hpaOnly.best!.outcome.cost);
    const jobs = both.best!.policy.cronJobs!;
    // The floor rises before the 07:00 rise (in the scenario's zone) and comes back down.
    const rise = jobs.find((j) => j.targetSize > both.best!.policy.minReplicas)!;
    expect(Number(rise.schedule.split(' ')[2])).toBeLessThanOrEqual(6);
    expect(jobs.some((j) => j.targetSize === both.best!.policy.minReplicas)).toBe(true);

    // The overlay as advise writes it, rendered by the project's kustomize renderer.
    const overlay = join(tmp, 'ramp', 'patch');
    mkdirSync(overlay, { recursive: true });
    writeFileSync(join(overlay, 'cronhpa.yaml'), stringify(cronHpaObject(hpa, jobs)));
    const current = { ...currentCandidate(base), family: 'hpa' as const, scaleUpTolerance: null };
    writeFileSync(join(overlay, 'kustomization.yaml'), kustomization({ resource: relative(overlay, join(ROOT, 'manifests/base')), hpa: manifests.hpa, ...(manifests.placement ? { placement: manifests.placement } : {}), from: current, to: both.best!.policy, extra: ['cronhpa.yaml'] }));
    const rendered = await loadSystemManifests(programSource(overlay, tmp));
    expect(rendered.schedule?.kind).toBe('CronHorizontalPodAutoscaler');
    expect((rendered.schedule?.spec as { scaleTargetRef: unknown; jobs: unknown }).scaleTargetRef).toEqual({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: hpa.name });
    expect((rendered.schedule?.spec as { jobs: unknown }).jobs).toEqual(jobs);
    // The rendered system runs as the search evaluated it.
    const sys = systemFromScenario(scenario, rendered);
    expect(sys.schedule?.timeZone).toBe('Asia/Shanghai');
    expect(outcomeOf(scenario, sys, {}).cost).toBeCloseTo(both.best!.outcome.cost, 6);
  }, 240_000);
});
