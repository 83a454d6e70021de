import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { KubeObject } from '../kinds/model/objects.ts';
import type { SystemManifests } from '../kinds/system.ts';
import { parseScenario } from '../scenarios/index.ts';
import { baseManifests, systemFromScenario } from './system.ts';
import { simulate } from './simulate.ts';

// The shipped system (an HPA on the ElasticWorkload nginx: AverageValue 1k, min 1, max 10) plus a CronHPA; discovery is manifests/discover.test.ts's.
const tmp = mkdtempSync(join(tmpdir(), 'ebf-cronhpa-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function manifests(jobs: string, extra = ''): SystemManifests {
  const schedule = YAML.parse(`apiVersion: autoscaling.alibabacloud.com/v1beta1\nkind: CronHorizontalPodAutoscaler\nmetadata: {name: web-cron, namespace: default}\nspec:\n  scaleTargetRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: nginx}\n${extra}  jobs:\n${jobs}`) as KubeObject;
  return { ...baseManifests(), schedule };
}

/** 1,500 devices all morning: the HPA alone holds 2 replicas (AverageValue 1k). */
const flat = (extra = '') => parseScenario(`name: cron\ncurve: {steps: [["06:00", 1500]]}\nwindows: [{start: "07:50", end: "08:40"}]\n${extra}`, join(tmp, 'cron.yaml'));
const at = (hms: string) => Date.parse(`2026-01-05T${hms}Z`);

async function run(jobs: string, opts: { extra?: string; scenario?: string } = {}) {
  const sc = await flat(opts.scenario);
  const sys = systemFromScenario(sc, (manifests(jobs, opts.extra)));
  return simulate(sc, sys).timeline!;
}
const replicasAt = (tl: Awaited<ReturnType<typeof run>>, t: number) => tl.samples.filter((s) => s.t <= t).at(-1)!.hpa.current;

describe('simulator: a CronHPA over the HPA', () => {
  it('raises the floor at the scheduled second and hands it back; the HPA then scales in at once', async () => {
    const tl = await run('  - {name: up, schedule: "0 0 8 * * *", targetSize: 6}\n  - {name: down, schedule: "30 15 8 * * *", targetSize: 1}\n');
    expect(replicasAt(tl, at('07:59:45'))).toBe(2);
    expect(replicasAt(tl, at('08:00:00'))).toBe(6);
    expect(replicasAt(tl, at('08:15:15'))).toBe(6);
    // Floor back to 1 at 08:15:30. The HPA's stabilization window holds its own recommendations
    // (2 for 1,500 devices, before the min is applied), so it scales in at its next sync.
    expect(replicasAt(tl, at('08:15:30'))).toBe(2);
    const notes = tl.events.filter((e) => e.type === 'note' && e.object === 'web-cron');
    expect(notes.map((e) => [e.t, e.message])).toEqual([
      [at('08:00:00'), 'cron hpa job up executed successfully. current replicas:2, desired replicas:6.'],
      [at('08:15:30'), 'cron hpa job down executed successfully. Skip scale replicas because HPA nginx in namespace default current replicas:6 >= desired replicas:1.'],
    ]);
    expect(tl.events.find((e) => e.type === 'hpa.rescale' && e.t === at('08:00:00'))).toMatchObject({ from: 2, to: 6, message: 'New size: 6; reason: cron hpa job up' });
    // The HPA's own scale-in after the floor is handed back keeps the metric's words.
    expect(tl.events.find((e) => e.type === 'hpa.rescale' && e.t === at('08:15:30'))).toMatchObject({ from: 6, to: 2, message: 'New size: 2; reason: below target' });
    expect(tl.meta.notes).toContain('CronHPA web-cron on the HPA: up "0 0 8 * * *" → 6, down "30 15 8 * * *" → 1 (UTC)');
  });

  it('above the HPA max, max is raised with it', async () => {
    const tl = await run('  - {name: peak, schedule: "0 0 8 * * *", targetSize: 14}\n');
    expect(Math.max(...tl.samples.map((s) => s.hpa.current))).toBe(14);
  });

  it('reads the schedule in the scenario\'s time zone, and skips an excluded day', async () => {
    // 16:00 in Shanghai is 08:00 UTC.
    // The system reads the scenario's `timezone` (the scenario format's field; given here as the system's input).
    const sc = await flat();
    const shanghai = simulate(sc, systemFromScenario({ ...sc, timezone: 'Asia/Shanghai' } as typeof sc, manifests('  - {name: up, schedule: "0 0 16 * * *", targetSize: 6}\n'))).timeline!;
    expect(replicasAt(shanghai, at('08:00:00'))).toBe(6);
    // 2026-01-05 is a Monday.
    const excluded = await run('  - {name: up, schedule: "0 0 8 * * *", targetSize: 6}\n', { extra: '  excludeDates: ["* * * * * 1"]\n' });
    expect(Math.max(...excluded.samples.map((s) => s.hpa.current))).toBe(2);
  });

  it('does not change a sweep\'s shared system: the HPA bounds edited are the run\'s own', async () => {
    const sc = await flat();
    const sys = systemFromScenario(sc, (manifests('  - {name: up, schedule: "0 0 8 * * *", targetSize: 6}\n')));
    const a = simulate(sc, sys).timeline!;
    expect(sys.hpa.minReplicas).toBe(1);
    expect(simulate(sc, sys).timeline!.samples).toEqual(a.samples);
  });

  it('gives the same timeline with every stepping (precomputed fast paths, event, fixed)', async () => {
    const sc = await flat();
    const sys = systemFromScenario(sc, manifests('  - {name: up, schedule: "0 0 8 * * *", targetSize: 6}\n  - {name: down, schedule: "30 15 8 * * *", targetSize: 1}\n'));
    const [a, b, c] = (['precomputed', 'event', 'fixed'] as const).map((stepping) => simulate(sc, sys, { stepping }).timeline!);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });
});
