import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import { ensureBinaries } from '../cluster/toolchain/index.ts';
import { parseQuantity } from '../core/units.ts';
import { loadScenario, parseScenario } from '../scenarios/index.ts';
import { loadSystemManifests, simulate, systemFromScenario } from '../simulator/index.ts';
import { MANIFESTS_DIR, renderOverlay, type KubeObject } from './index.ts';

/**
 * The HPA the base ships targets devices per replica (AverageValue); the original set-up's Value
 * target lives on only in overlays/original-2020, which must reproduce it — and the walk it causes.
 */

type Target = { type: string; value?: string; averageValue?: string };
const targetOf = (objs: KubeObject[]): Target => {
  const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
  return (hpa.spec as { metrics: { object: { target: Target } }[] }).metrics[0]!.object.target;
};
async function renderBase(): Promise<KubeObject[]> {
  const { kubectl } = await ensureBinaries(['kubectl']);
  const r = await execa(kubectl!, ['kustomize', join(MANIFESTS_DIR, 'base')]);
  return YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject);
}
const ORIGINAL = join(MANIFESTS_DIR, 'overlays', 'original-2020');
// The smoke day with no HPA override: the manifests' own target decides.
const day = (file: string) =>
  parseScenario('name: day\ncurve: {file: curves/weekday.csv, transforms: [{scale: 0.008}]}\nwindows: [{start: "06:30", end: "08:00"}, {start: "22:30", end: "24:00"}]\ndevicesPerReplica: 1000\nnodes: {ecs: [{name: ecs, count: 3}]}\nelasticWorkload: {sourceMax: 2}\n', file);

describe('the HPA default', () => {
  it('the base targets devices per replica at the capacity the shipped scenarios give a replica', async () => {
    const base = targetOf(await renderBase());
    expect(base.type).toBe('AverageValue');
    const smoke = await loadScenario(join(MANIFESTS_DIR, '..', 'scenarios', 'smoke.yaml'));
    expect(parseQuantity(base.averageValue!)).toBe(smoke.devicesPerReplica);
    expect(smoke.hpa?.target).toEqual({ type: 'AverageValue', value: smoke.devicesPerReplica });
    // Every overlay that ships inherits it.
    for (const o of ['local', 'aliyun', 'aliyun-cluster-wide']) expect(targetOf(await renderOverlay(o)), o).toEqual(base);
  });

  it('overlays/original-2020 is the base with only the original Value 3k target', async () => {
    const base = await renderBase();
    const original = await renderOverlay('original-2020');
    expect(targetOf(original)).toEqual({ type: 'Value', value: '3k' });
    const hpaless = (objs: KubeObject[]) => objs.map((o) => (o.kind === 'HorizontalPodAutoscaler' ? { ...o, spec: { ...(o.spec as object), metrics: [] } } : o));
    expect(hpaless(original)).toEqual(hpaless(base));
  });

  it('original-2020 reproduces the walk: 1 replica while 3 are needed, then doubling to maxReplicas, held after the load falls', async () => {
    const file = join(MANIFESTS_DIR, '..', 'scenarios', 'day.yaml');
    const s = await day(file);
    const run = async (path?: string) => simulate(s, systemFromScenario(s, await loadSystemManifests(path)));
    const fixed = await run();
    const walk = await run(ORIGINAL);
    const hpaMax = 10;
    // The morning ramp from 2.1k devices, which need 3 replicas: below 3k the Value ratio asks for fewer
    // pods than the one there is (minReplicas holds it at 1); past 3.3k it doubles up to its max.
    const morning = walk.timeline!.samples.filter((x) => x.devices < 2700);
    expect(morning.length).toBeGreaterThan(10);
    expect(morning.every((x) => x.ew.replicas === 1)).toBe(true);
    expect(walk.summary.peakReplicas).toBe(hpaMax);
    // The evening drop from 7.3k to 4.7k devices: the original stays at max, the fixed one follows ceil(devices / 1k).
    const evening = (r: typeof walk) => r.timeline!.samples.filter((x) => x.t >= r.timeline!.samples.at(-1)!.t - 30 * 60_000);
    expect(evening(walk).every((x) => x.ew.replicas === hpaMax)).toBe(true);
    for (const x of evening(fixed)) expect(Math.abs(x.ew.replicas - Math.ceil(x.devices / 1000)), `${x.devices} devices`).toBeLessThanOrEqual(1);
    expect(walk.summary.sloCoveragePercent).toBeLessThan(fixed.summary.sloCoveragePercent - 10);
    expect(walk.summary.eciPodHours).toBeGreaterThan(fixed.summary.eciPodHours * 1.5);
  });
});
