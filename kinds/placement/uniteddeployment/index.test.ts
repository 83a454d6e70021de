import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { checkAll } from '../../../core/checks/checks.ts';
import { UserError } from '../../../core/errors.ts';
import { discoverSystem } from '../../../manifests/discover.ts';
import { harnessManifestsFrom, harnessSystemManifests } from '../../../manifests/index.ts';
import { loadScenario, parseScenario } from '../../../scenarios/index.ts';
import { simulate, systemFromScenario } from '../../../simulator/index.ts';
import type { KubeObject } from '../../model/objects.ts';
import { placementFor } from '../../registry.ts';
import { resolveSystem } from '../../system.ts';
import { TEMPLATE_OF_ANNOTATION, unitedDeployment, type KruiseComponent } from './index.ts';

/** The fixture's spec as the tests edit it (loose: they write what the schema refuses). */
interface UdSpec {
  template: Record<string, unknown>;
  topology: { subsets: Record<string, unknown>[] };
}

const DIR = fileURLToPath(new URL('./testdata/ack-hpa/', import.meta.url));
const FILE = `${DIR}manifests.yaml`;
const objects = () => YAML.parseAllDocuments(readFileSync(FILE, 'utf8')).map((d) => ({ object: d.toJS() as KubeObject, file: FILE }));
const POOL = 'nodes:\n  ecs: [{name: ecs, count: 2, labels: {alibabacloud.com/nodepool-id: np-ecs}}]\n';
const scenario = async (extra = POOL) => parseScenario(`name: ud\ncurve: {const: 1000}\nwindows: [{start: "07:00", end: "08:00"}]\n${extra}`, `${DIR}scenario-test.yaml`);

/** The fixture's system with its UnitedDeployment changed by `edit`. */
async function systemWith(edit: (spec: UdSpec) => void, scenarioText = POOL) {
  const s = await scenario(scenarioText);
  const objs = objects();
  edit(objs.find((o) => o.object.kind === 'UnitedDeployment')!.object.spec as unknown as UdSpec);
  return resolveSystem(s, harnessSystemManifests(harnessManifestsFrom(objs, discoverSystem(objs, 'ack-hpa'), 'ack-hpa')));
}

describe('the UnitedDeployment kind', () => {
  it('is what an HPA targeting apps.kruise.io/v1alpha1 UnitedDeployment is discovered as, with its template as the workload', () => {
    expect(placementFor('UnitedDeployment')).toBe(unitedDeployment);
    const d = discoverSystem(objects(), 'ack-hpa');
    expect(d.placement?.kind).toBe('UnitedDeployment');
    expect(d.workload).toMatchObject({ kind: 'Deployment', metadata: { name: 'web', annotations: { [TEMPLATE_OF_ANNOTATION]: 'UnitedDeployment/web' } } });
    expect((d.workload.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers[0]!.name).toBe('web');
  });

  it('maps the subsets to tiers by where their pods fit: ecs on the labelled ECS pool, eci on the virtual node', async () => {
    const sys = await systemWith(() => {});
    expect(sys.placement.tiers).toEqual([
      { deployment: 'web-ecs', unit: 'ecs', max: 2, node: 'ecs' },
      { deployment: 'web-eci', unit: 'eci', node: 'eci' },
    ]);
    expect(sys.pod).toEqual({ vcpu: 0.5, memoryGiB: 0.5 });
    expect([1, 2, 3, 6, 3, 1].map((n) => unitedDeployment.split(sys.placement, n))).toEqual([[1, 0], [2, 0], [2, 1], [2, 4], [2, 1], [1, 0]]);
  });

  it('a CloneSet template is discovered too (its pods\' requests read from it)', async () => {
    const objs = objects();
    const spec = objs.find((o) => o.object.kind === 'UnitedDeployment')!.object.spec as { template: Record<string, unknown> };
    spec.template = { cloneSetTemplate: spec.template.deploymentTemplate };
    const d = discoverSystem(objs, 'ack-hpa');
    expect(d.workload.kind).toBe('CloneSet');
    expect(resolveSystem(await scenario(), harnessSystemManifests(harnessManifestsFrom(objs, d, 'ack-hpa'))).placement.tiers.map((t) => t.node)).toEqual(['ecs', 'eci']);
  });

  it('a CloneSet template replays: the manager gets the CloneSet\'s webhooks and the recorder watches the subsets\' CloneSets (testdata/cloneset)', async () => {
    const dir = fileURLToPath(new URL('./testdata/cloneset/', import.meta.url));
    const objs = YAML.parseAllDocuments(readFileSync(`${dir}manifests.yaml`, 'utf8')).map((d) => ({ object: d.toJS() as KubeObject, file: `${dir}manifests.yaml` }));
    const s = await loadScenario(`${dir}scenario.yaml`);
    const p = resolveSystem(s, harnessSystemManifests(harnessManifestsFrom(objs, discoverSystem(objs, 'ud-cs'), 'ud-cs'))).placement;
    const view = unitedDeployment.recorderView(p);
    expect(view.workloads?.kind).toBe('CloneSet');
    expect([view.owner('web-ecs-9xv2q'), view.owner('web-eci-k8s7d')]).toEqual(['source', 'web-eci-k8s7d']);
    const ctx = { kubeConfig: () => { throw new Error('not started'); }, namespace: 'default' };
    expect(unitedDeployment.components(p, ctx).map((c) => (c as KruiseComponent).resources)).toEqual([['uniteddeployments', 'clonesets']]);
    expect(unitedDeployment.recorderView(await systemWith(() => {}).then((x) => x.placement)).workloads).toBeUndefined();
    const { timeline } = simulate(s, systemFromScenario(s, harnessSystemManifests(harnessManifestsFrom(objs, discoverSystem(objs, 'ud-cs'), 'ud-cs'))));
    expect(checkAll(timeline!, s.expectations).filter((r) => !r.passed)).toEqual([]);
  });

  it('refuses, naming the field, what the model does not hold', async () => {
    const refused = async (edit: (spec: UdSpec) => void, s = POOL) => {
      try {
        await systemWith(edit, s);
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as Error).message;
      }
      return 'not refused';
    };
    // The default pools lack the node pool label the ECS subset selects.
    expect(await refused(() => {}, '')).toMatch(/subsets\[0\]: no node of the run fits its pods/);
    expect(await refused((s) => s.topology.subsets.reverse())).toMatch(/they run on eci, ecs; ebbflow models one ECS subset first/);
    expect(await refused((s) => { s.topology.subsets[1]!.tolerations = []; })).toMatch(/subsets\[1\]: no node of the run fits/);
    expect(await refused((s) => { s.topology.subsets[0]!.maxReplicas = '50%'; })).toMatch(/subsets\[0\]\.maxReplicas: "50%": a percentage/);
    expect(await refused((s) => { s.topology.subsets[0]!.replicas = 2; })).toMatch(/subsets\[0\]\.replicas: a fixed share/);
    expect(await refused((s) => { delete s.topology.subsets[0]!.maxReplicas; })).toMatch(/spreads the replicas evenly/);
    expect(await refused((s) => { s.topology.subsets[0]!.minReplicas = 3; })).toMatch(/minReplicas 3 is above maxReplicas 2/);
    expect(await refused(() => {}, `${POOL}elasticWorkload: {sourceMax: 3}\n`)).toMatch(/elasticWorkload\.sourceMax: .* no ElasticWorkload — the HPA scales UnitedDeployment default\/web/);
    expect(await refused((s) => { s.template.cloneSetTemplate = s.template.deploymentTemplate; })).toMatch(/holds deploymentTemplate and cloneSetTemplate/);
  });

  it('records each subset workload by the name the controller generates (<ud>-<subset>-…), and the UnitedDeployment\'s replicas as the total', async () => {
    const p = (await systemWith((s) => s.topology.subsets.push({ name: 'eci-b', nodeSelectorTerm: s.topology.subsets[1]!.nodeSelectorTerm, tolerations: s.topology.subsets[1]!.tolerations }))).placement;
    const view = unitedDeployment.recorderView(p);
    expect(view.owner('web-ecs-x7k2p')).toBe('source');
    expect(view.owner('web-eci-abc12')).toBe('web-eci-abc12');
    expect(view.owner('web-eci-b-zz9q1')).toBe('web-eci-b-zz9q1');
    expect(view.owner('webx-ecs-1')).toBeUndefined();
    expect(view.resource).toEqual({ group: 'apps.kruise.io', version: 'v1alpha1', plural: 'uniteddeployments', kind: 'UnitedDeployment', name: 'web' });
  });
});

describe('ACK\'s UnitedDeployment-with-HPA example in the simulator', () => {
  it('scales ECS first (never above its max 2), overflows only to ECI and drains ECI first', async () => {
    const s = await loadScenario(`${DIR}scenario.yaml`);
    const sys = systemFromScenario(s, harnessSystemManifests(harnessManifestsFrom(objects(), discoverSystem(objects(), 'ack-hpa'), 'ack-hpa')));
    const { timeline } = simulate(s, sys);
    const results = checkAll(timeline!, s.expectations);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    const samples = timeline!.samples;
    expect(Math.max(...samples.map((x) => x.ew.replicas))).toBeGreaterThan(2);
    // Whenever ECI holds replicas, ECS is at its max.
    expect(samples.filter((x) => Object.values(x.ew.units).some((n) => n > 0)).every((x) => x.ew.source === 2)).toBe(true);
    // The step down: ECI's last replica leaves before (or as) ECS goes below its max.
    const eciGone = samples.findIndex((x, i) => i > 0 && Object.values(samples[i - 1]!.ew.units).some((n) => n > 0) && Object.values(x.ew.units).every((n) => n === 0));
    expect(eciGone).toBeGreaterThan(0);
    expect(samples.slice(0, eciGone).filter((x) => x.t > samples[eciGone]!.t - 600_000).every((x) => x.ew.source === 2)).toBe(true);
  });
});

describe('the Adaptive schedule strategy in the simulator', () => {
  // One ECS node with room for 2 pods (1 CPU, 500m each) under a subset max of 6: the rest stays Pending.
  const SMALL_POOL = 'nodes:\n  ecs: [{name: ecs, count: 1, cpu: "1", labels: {alibabacloud.com/nodepool-id: np-ecs}}]\n';
  const run = async (strategy: Record<string, unknown> | undefined) => {
    const s = await parseScenario(`name: ud-adaptive\ncurve:\n  steps: [["07:00", 1500], ["07:03", 5800]]\nwindows: [{start: "07:00", end: "07:20"}]\ndevicesPerReplica: 1000\n${SMALL_POOL}`, `${DIR}adaptive.yaml`);
    const objs = objects();
    const spec = objs.find((o) => o.object.kind === 'UnitedDeployment')!.object.spec as unknown as UdSpec & { topology: { scheduleStrategy?: unknown } };
    spec.topology.subsets[0]!.maxReplicas = 6;
    if (strategy) spec.topology.scheduleStrategy = strategy;
    const sys = systemFromScenario(s, harnessSystemManifests(harnessManifestsFrom(objs, discoverSystem(objs, 'ack-hpa'), 'ack-hpa')));
    return simulate(s, sys).timeline!;
  };
  const at = (tl: Awaited<ReturnType<typeof run>>, minute: number) => tl.samples.find((x) => x.t >= tl.meta.start + minute * 60_000)!;

  it('Fixed: replicas the ECS pool cannot start stay Pending there', async () => {
    const late = at(await run(undefined), 15);
    expect(late.ew.replicas).toBe(6);
    expect(late.pods.ecs).toMatchObject({ ready: 2, pending: 4 });
    expect(late.pods.eci.ready).toBe(0);
  });

  it('Adaptive: after rescheduleCriticalSeconds the ECS subset is held at its ready pods and the rest runs on ECI', async () => {
    const tl = await run({ type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: 30, unschedulableDuration: 300 } });
    const late = at(tl, 15);
    expect(late.ew).toMatchObject({ replicas: 6, source: 2 });
    expect(late.pods.ecs).toMatchObject({ ready: 2, pending: 0 });
    expect(late.pods.eci.ready).toBe(4);
    const marked = tl.events.find((e) => e.message?.startsWith('ECS tier unschedulable'));
    const firstEciPod = tl.events.find((e) => e.type === 'pod.created' && e.nodeType === 'eci');
    // The move waits for the critical time: the ECS pods were asked for first.
    expect(marked).toBeDefined();
    expect(firstEciPod!.t - tl.events.find((e) => e.type === 'pod.created' && e.nodeType === 'ecs' && e.t > tl.meta.start)!.t).toBeGreaterThanOrEqual(30_000);
  });
});
