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
import type { SpreadComponent } from './controller.ts';
import { MATCHED_ANNOTATION, workloadSpread } from './index.ts';

/** The fixture's spec as the tests edit it (loose: they write what the schema refuses). */
interface WsSpec {
  targetRef: Record<string, string>;
  subsets: Record<string, unknown>[];
  scheduleStrategy?: unknown;
  targetFilter?: unknown;
}

const DIR = fileURLToPath(new URL('./testdata/deployment/', import.meta.url));
const FILE = `${DIR}manifests.yaml`;
const objects = () => YAML.parseAllDocuments(readFileSync(FILE, 'utf8')).map((d) => ({ object: d.toJS() as KubeObject, file: FILE }));
const POOL = 'nodes:\n  ecs: [{name: ecs, count: 2, labels: {alibabacloud.com/nodepool-id: np-ecs}}]\n';
const scenario = async (extra = POOL) => parseScenario(`name: ws\ncurve: {const: 1000}\nwindows: [{start: "07:00", end: "08:00"}]\n${extra}`, `${DIR}scenario-test.yaml`);
const wsOf = (objs: ReturnType<typeof objects>) => objs.find((o) => o.object.kind === 'WorkloadSpread')!.object;

/** The fixture's system with its WorkloadSpread changed by `edit`. */
async function systemWith(edit: (spec: WsSpec) => void, scenarioText = POOL) {
  const s = await scenario(scenarioText);
  const objs = objects();
  edit(wsOf(objs).spec as unknown as WsSpec);
  return resolveSystem(s, harnessSystemManifests(harnessManifestsFrom(objs, discoverSystem(objs, 'ws'), 'ws')));
}

const refused = async (edit: (spec: WsSpec) => void, s = POOL) => {
  try {
    await systemWith(edit, s);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  return 'not refused';
};

describe('the WorkloadSpread kind', () => {
  it('wins discovery over the plain Deployment its targetRef names; the Deployment stays the workload the HPA scales', () => {
    expect(placementFor('WorkloadSpread')).toBe(workloadSpread);
    const d = discoverSystem(objects(), 'ws');
    expect(d.placement?.kind).toBe('WorkloadSpread');
    expect(d.workload).toMatchObject({ kind: 'Deployment', metadata: { name: 'web' } });
  });

  it('a WorkloadSpread naming another workload (or another group) leaves the Deployment to the plain kind', () => {
    for (const ref of [{ name: 'other' }, { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet' }]) {
      const objs = objects();
      Object.assign((wsOf(objs).spec as unknown as WsSpec).targetRef, ref);
      const d = discoverSystem(objs, 'ws');
      expect(d.placement).toBeUndefined();
      expect(d.workload.metadata.name).toBe('web');
    }
  });

  it('says what to do with an HPA aimed at the WorkloadSpread itself, and with two WorkloadSpreads on one workload', () => {
    const objs = objects();
    const hpa = objs.find((o) => o.object.kind === 'HorizontalPodAutoscaler')!.object;
    (hpa.spec as { scaleTargetRef: object }).scaleTargetRef = { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'WorkloadSpread', name: 'web' };
    expect(() => discoverSystem(objs, 'ws')).toThrow(/names a WorkloadSpread, which has no scale subresource/);
    const two = objects();
    two.push({ object: { ...structuredClone(wsOf(two)), metadata: { name: 'web-2', namespace: 'default' } }, file: FILE });
    expect(() => discoverSystem(two, 'ws')).toThrow(/both name Deployment web in spec.targetRef/);
  });

  it('maps the subsets to tiers by where their pods fit, and splits as the webhook fills and the deletion cost drains', async () => {
    const sys = await systemWith(() => {});
    expect(sys.placement.tiers).toEqual([
      { deployment: 'web-ecs', unit: 'ecs', max: 2, node: 'ecs' },
      { deployment: 'web-eci', unit: 'eci', node: 'eci' },
    ]);
    expect(sys.pod).toEqual({ vcpu: 0.5, memoryGiB: 0.5 });
    expect([1, 2, 3, 6, 3, 1].map((n) => workloadSpread.split(sys.placement, n))).toEqual([[1, 0], [2, 0], [2, 1], [2, 4], [2, 1], [1, 0]]);
  });

  it('models a percentage maxReplicas of the workload\'s replicas (its tier max is the most it can be, at the HPA\'s max)', async () => {
    const sys = await systemWith((s) => { s.subsets[0]!.maxReplicas = '50%'; });
    expect(sys.placement.tiers[0]!.max).toBe(5);
    expect([1, 2, 3, 5, 10].map((n) => workloadSpread.split(sys.placement, n))).toEqual([[1, 0], [1, 1], [2, 1], [3, 2], [5, 5]]);
  });

  it('refuses, naming the field, what the model does not hold', async () => {
    expect(await refused(() => {}, '')).toMatch(/subsets\[0\]: no node of the run fits its pods/);
    expect(await refused((s) => s.subsets.reverse())).toMatch(/they run on eci, ecs; ebbflow models one ECS subset first/);
    // The ECI subset preferring the virtual node but tolerating its taint: its pods fit ECS too.
    expect(await refused((s) => {
      s.subsets[1]!.preferredNodeSelectorTerms = [{ weight: 1, preference: s.subsets[1]!.requiredNodeSelectorTerm }];
      delete s.subsets[1]!.requiredNodeSelectorTerm;
    })).toMatch(/subsets\[1\]\.preferredNodeSelectorTerms: a preference alone is not modelled/);
    expect(await refused((s) => { s.subsets[0]!.patch = { spec: { containers: [] } }; })).toMatch(/subsets\[0\]\.patch\.spec: a per-subset pod spec is not modelled/);
    expect(await refused((s) => { s.subsets[0]!.maxReplicas = 'half'; })).toMatch(/subsets\[0\]\.maxReplicas: must be a non-negative integer or a percentage/);
    expect(await refused((s) => { s.subsets[1]!.maxReplicas = '50%'; })).toMatch(/some maxReplicas are numbers and some percentages/);
    expect(await refused((s) => { s.subsets[1]!.maxReplicas = 3; })).toMatch(/subsets\[1\]\.maxReplicas: every subset has a max and together they hold fewer than the HPA's 10/);
    expect(await refused((s) => { s.targetFilter = { selector: { matchLabels: { app: 'web' } } }; })).toMatch(/spec\.targetFilter: not modelled/);
    expect(await refused(() => {}, `${POOL}elasticWorkload: {sourceMax: 3}\n`)).toMatch(/elasticWorkload\.sourceMax: .* no ElasticWorkload — a WorkloadSpread places the pods of Deployment default\/web/);
  });

  it('reads the v1beta1 field names too', async () => {
    const sys = await systemWith((s) => {
      for (const sub of s.subsets) {
        sub.requiredNodeSelector = sub.requiredNodeSelectorTerm;
        delete sub.requiredNodeSelectorTerm;
      }
    });
    expect(sys.placement.tiers.map((t) => t.node)).toEqual(['ecs', 'eci']);
  });

  it('records the pods of the one Deployment by the subset the webhook wrote on each, else by their node', async () => {
    const p = (await systemWith((s) => s.subsets.push({ name: 'eci-b', requiredNodeSelectorTerm: s.subsets[1]!.requiredNodeSelectorTerm, tolerations: s.subsets[1]!.tolerations }))).placement;
    const view = workloadSpread.recorderView(p);
    const on = (subset: string, ws = 'web') => ({ annotations: { [MATCHED_ANNOTATION]: JSON.stringify({ name: ws, subset }) }, nodeType: undefined });
    expect(view.pods?.deployment).toBe('web');
    expect(view.pods!.owner(on('ecs'))).toBe('source');
    expect(view.pods!.owner(on('eci'))).toBe('web-eci');
    expect(view.pods!.owner(on('eci-b'))).toBe('web-eci-b');
    // Another WorkloadSpread's annotation, or none: where the pod runs.
    expect(view.pods!.owner({ ...on('eci', 'other'), nodeType: 'ecs' })).toBe('source');
    expect(view.pods!.owner({ annotations: {}, nodeType: 'eci' })).toBe('web-eci');
    expect(view.owner('web-ecs')).toBe('source');
    expect(view.owner('web')).toBeUndefined();
    expect(view.resource).toBeUndefined();
  });

  it('a replay runs kruise\'s manager with the pod webhooks scoped to the workload\'s pods (a CloneSet\'s with its webhooks); a bare ReplicaSet is refused there, saying why', async () => {
    const sys = await systemWith(() => {});
    expect((sys.placement as unknown as { podLabels: object }).podLabels).toEqual({ app: 'web' });
    const ctx = { kubeConfig: () => { throw new Error('not started'); }, namespace: 'default' };
    const resources = (p: typeof sys.placement) => workloadSpread.components(p, ctx).map((c) => [c.name, (c as SpreadComponent).resources]);
    expect(resources(sys.placement)).toEqual([['kruise-manager', ['workloadspreads', 'pods']]]);
    const retarget = (kind: string) => {
      const p = structuredClone(sys.placement);
      (p.object!.spec as unknown as WsSpec).targetRef.kind = kind;
      return p;
    };
    expect(resources(retarget('CloneSet'))).toEqual([['kruise-manager', ['workloadspreads', 'pods', 'clonesets']]]);
    expect(() => workloadSpread.components(retarget('ReplicaSet'), ctx)).toThrow(/bare ReplicaSet does not replay: kruise v1\.9\.0 .* reverses the deletion cost/);
    expect(() => workloadSpread.components(retarget('StatefulSet'), ctx)).toThrow(/WorkloadSpread on a StatefulSet replays not yet/);
  });
});

describe('a Deployment under a WorkloadSpread in the simulator', () => {
  it('scales ECS first (never above its max 2), overflows only to ECI and drains ECI first', async () => {
    const s = await loadScenario(`${DIR}scenario.yaml`);
    const sys = systemFromScenario(s, harnessSystemManifests(harnessManifestsFrom(objects(), discoverSystem(objects(), 'ws'), 'ws')));
    const { timeline } = simulate(s, sys);
    expect(checkAll(timeline!, s.expectations).filter((r) => !r.passed)).toEqual([]);
    const samples = timeline!.samples;
    expect(Math.max(...samples.map((x) => x.ew.replicas))).toBeGreaterThan(2);
    expect(samples.filter((x) => Object.values(x.ew.units).some((n) => n > 0)).every((x) => x.ew.source === 2)).toBe(true);
    const eciGone = samples.findIndex((x, i) => i > 0 && Object.values(samples[i - 1]!.ew.units).some((n) => n > 0) && Object.values(x.ew.units).every((n) => n === 0));
    expect(eciGone).toBeGreaterThan(0);
    expect(samples.slice(0, eciGone).filter((x) => x.t > samples[eciGone]!.t - 600_000).every((x) => x.ew.source === 2)).toBe(true);
  });

  it('Adaptive with rescheduleCriticalSeconds: ECS pods the pool cannot start move to ECI; without it they stay Pending', async () => {
    const SMALL = 'nodes:\n  ecs: [{name: ecs, count: 1, cpu: "1", labels: {alibabacloud.com/nodepool-id: np-ecs}}]\n';
    const run = async (strategy: unknown) => {
      const s = await parseScenario(`name: ws-adaptive\ncurve:\n  steps: [["07:00", 1500], ["07:03", 5800]]\nwindows: [{start: "07:00", end: "07:20"}]\ndevicesPerReplica: 1000\n${SMALL}`, `${DIR}adaptive.yaml`);
      const objs = objects();
      const spec = wsOf(objs).spec as unknown as WsSpec;
      spec.subsets[0]!.maxReplicas = 6;
      if (strategy) spec.scheduleStrategy = strategy;
      const tl = simulate(s, systemFromScenario(s, harnessSystemManifests(harnessManifestsFrom(objs, discoverSystem(objs, 'ws'), 'ws')))).timeline!;
      return tl.samples.find((x) => x.t >= tl.meta.start + 15 * 60_000)!;
    };
    expect((await run({ type: 'Adaptive' })).pods.ecs).toMatchObject({ ready: 2, pending: 4 });
    const late = await run({ type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: 30 } });
    expect(late.ew).toMatchObject({ replicas: 6, source: 2 });
    expect(late.pods.eci.ready).toBe(4);
  });
});

describe('a CloneSet under a WorkloadSpread (testdata/cloneset)', () => {
  const dir = fileURLToPath(new URL('./testdata/cloneset/', import.meta.url));
  const csObjects = () => YAML.parseAllDocuments(readFileSync(`${dir}manifests.yaml`, 'utf8')).map((d) => ({ object: d.toJS() as KubeObject, file: `${dir}manifests.yaml` }));

  it('the CloneSet is the workload the HPA scales; the replay records its own pods (no ReplicaSet) and registers its webhooks', async () => {
    const d = discoverSystem(csObjects(), 'ws-cs');
    expect(d.placement?.kind).toBe('WorkloadSpread');
    expect(d.workload).toMatchObject({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', metadata: { name: 'web' } });
    const s = await loadScenario(`${dir}scenario.yaml`);
    const p = resolveSystem(s, harnessSystemManifests(harnessManifestsFrom(csObjects(), d, 'ws-cs'))).placement;
    const view = workloadSpread.recorderView(p);
    expect(view.workloads).toMatchObject({ kind: 'CloneSet', plural: 'clonesets', group: 'apps.kruise.io' });
    expect(view.pods?.deployment).toBe('web');
    const ctx = { kubeConfig: () => { throw new Error('not started'); }, namespace: 'default' };
    expect(workloadSpread.components(p, ctx).map((c) => (c as SpreadComponent).resources)).toEqual([['workloadspreads', 'pods', 'clonesets']]);
  });

  it('simulates as the Deployment does: every expectation of scenario.yaml passes', async () => {
    const s = await loadScenario(`${dir}scenario.yaml`);
    const { timeline } = simulate(s, systemFromScenario(s, harnessSystemManifests(harnessManifestsFrom(csObjects(), discoverSystem(csObjects(), 'ws-cs'), 'ws-cs'))));
    expect(checkAll(timeline!, s.expectations).filter((r) => !r.passed)).toEqual([]);
    expect(Math.max(...timeline!.samples.map((x) => x.ew.source))).toBe(2);
    expect(Math.max(...timeline!.samples.map((x) => x.ew.replicas))).toBeGreaterThan(2);
  });
});
