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
import { resolveSystem } from '../../system.ts';
import { resourcePolicy } from './index.ts';

/** The fixture's spec as the tests edit it (loose: they write what the schema refuses). */
interface RpSpec {
  selector: Record<string, string>;
  units: Record<string, unknown>[];
  whenTryNextUnits?: Record<string, unknown>;
  preemptPolicy?: string;
}

const DIR = fileURLToPath(new URL('./testdata/ack/', import.meta.url));
const FILE = `${DIR}manifests.yaml`;
const objects = () => YAML.parseAllDocuments(readFileSync(FILE, 'utf8')).map((d) => ({ object: d.toJS() as KubeObject, file: FILE }));
const POOL = 'nodes:\n  ecs: [{name: ecs, count: 2, labels: {alibabacloud.com/nodepool-id: np-ecs}}]\n';
const scenario = async (extra = POOL) => parseScenario(`name: rp\ncurve: {const: 1000}\nwindows: [{start: "07:00", end: "08:00"}]\n${extra}`, `${DIR}scenario-test.yaml`);
const policyOf = (objs: ReturnType<typeof objects>) => objs.find((o) => o.object.kind === 'ResourcePolicy')!.object;
const deploymentOf = (objs: ReturnType<typeof objects>) => objs.find((o) => o.object.kind === 'Deployment' && o.object.metadata.name === 'web')!.object;

/** The fixture's system with its ResourcePolicy (and Deployment) changed by `edit`. */
async function systemWith(edit: (spec: RpSpec, dep: KubeObject) => void, scenarioText = POOL) {
  const s = await scenario(scenarioText);
  const objs = objects();
  edit(policyOf(objs).spec as unknown as RpSpec, deploymentOf(objs));
  return resolveSystem(s, harnessSystemManifests(harnessManifestsFrom(objs, discoverSystem(objs, 'rp'), 'rp')));
}

const refusal = async (edit: (spec: RpSpec, dep: KubeObject) => void, scenarioText = POOL) => {
  try {
    await systemWith(edit, scenarioText);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('the ResourcePolicy kind', () => {
  it('stands beside an HPA target Deployment whose pods a ResourcePolicy selects, over the plain Deployment kind', () => {
    const d = discoverSystem(objects(), 'rp');
    expect(d.placement?.kind).toBe('ResourcePolicy');
    expect(d.workload).toMatchObject({ kind: 'Deployment', metadata: { name: 'web' } });
  });

  it('leaves a Deployment no policy selects to the Deployment kind', () => {
    const objs = objects();
    (policyOf(objs).spec as RpSpec).selector = { app: 'other' };
    const d = discoverSystem(objs, 'rp');
    expect(d.placement).toBeUndefined();
  });

  it('refuses two policies selecting the same pods, naming both', () => {
    const objs = objects();
    const second = structuredClone(policyOf(objs));
    second.metadata.name = 'web-2';
    objs.push({ object: second, file: FILE });
    expect(() => discoverSystem(objs, 'rp')).toThrow(/ResourcePolicy default\/web and .*ResourcePolicy default\/web-2: both select the pods of Deployment default\/web/);
  });

  it('maps the units to tiers in order, each evaluated against the run\'s nodes', async () => {
    const sys = await systemWith(() => {});
    expect(sys.placement.tiers).toEqual([
      { deployment: 'web', unit: 'units[0]', min: 0, max: 2, node: 'ecs' },
      { deployment: 'web-eci', unit: 'units[1]', min: 0, node: 'eci' },
    ]);
    expect([1, 2, 3, 6, 3, 1].map((n) => resourcePolicy.split(sys.placement, n))).toEqual([[1, 0], [2, 0], [2, 1], [2, 4], [2, 1], [1, 0]]);
  });

  it('splits the same under either preemptPolicy: preemption needs lower-priority pods, which a replay does not run', async () => {
    const plain = await systemWith(() => {});
    for (const preemptPolicy of ['BeforeNextUnit', 'AfterAllUnits']) {
      const sys = await systemWith((s) => (s.preemptPolicy = preemptPolicy));
      expect(sys.placement.tiers).toEqual(plain.placement.tiers);
      expect([1, 3, 6].map((n) => resourcePolicy.split(sys.placement, n))).toEqual([1, 3, 6].map((n) => resourcePolicy.split(plain.placement, n)));
    }
  });

  it('models maxResources as pods at the workload\'s requests, the smaller of it and max', async () => {
    const sys = await systemWith((s) => {
      s.units[0]!.max = 5;
      s.units[0]!.maxResources = { cpu: '1500m' };
    });
    // 1.5 CPU at 500m a pod: 3 pods.
    expect(sys.placement.tiers[0]!.max).toBe(3);
    expect(resourcePolicy.split(sys.placement, 7)).toEqual([3, 4]);
  });

  it('refuses a unit whose nodes all belong to an earlier unit (a node counts for the first unit it is in)', async () => {
    expect(await refusal((s) => s.units.splice(1, 0, { resource: 'eci', max: 2 }))).toMatch(/spec\.units\[2\]\.nodeSelector: no node of the run is in this unit/);
  });

  it('refuses what it does not model, naming the file and the field', async () => {
    expect(await refusal((s) => delete s.units[0]!.max)).toMatch(/rp: ResourcePolicy default\/web: spec\.units\[0\]\.max: the ECS unit has neither max nor maxResources/);
    expect(await refusal((s) => (s.units[1]!.max = 4))).toMatch(/spec\.units\[1\]\.max: the last unit has a max/);
    expect(await refusal((s) => s.units.reverse())).toMatch(/spec\.units\[0\]\.resource: eci; ebbflow models one ecs unit first/);
    expect(await refusal((s) => (s.units[1]!.resource = 'acs'))).toMatch(/spec\.units\[1\]\.resource: acs; ebbflow models one ecs unit first/);
    expect(await refusal((s) => (s.units[0]!.nodeSelector = { pool: 'gpu' }))).toMatch(/spec\.units\[0\]\.nodeSelector: no node of the run is in this unit/);
    expect(await refusal((s) => (s.whenTryNextUnits = { policy: 'Sometimes' }))).toMatch(/spec\.whenTryNextUnits\.policy: "Sometimes"/);
    expect(await refusal((s) => (s.preemptPolicy = 'Never'))).toMatch(/spec\.preemptPolicy: "Never" is not one of BeforeNextUnit, AfterAllUnits/);
    expect(await refusal(() => {}, `${POOL}elasticWorkload: {sourceMax: 3}\n`)).toMatch(/elasticWorkload\.sourceMax: .* ResourcePolicy default\/web places the pods/);
  });

  it('takes pods that do not tolerate the virtual node: ACK\'s scheduler tolerates it for an eci unit\'s pods', async () => {
    const sys = await systemWith((_s, dep) => delete (dep.spec as { template: { spec: Record<string, unknown> } }).template.spec.tolerations);
    expect(sys.placement.tiers.map((t) => t.node)).toEqual(['ecs', 'eci']);
    expect(resourcePolicy.split(sys.placement, 5)).toEqual([2, 3]);
  });

  it('tells the tiers apart by node in the recorder: ECS pods are source, virtual-node pods the eci tier\'s', async () => {
    const sys = await systemWith(() => {});
    const view = resourcePolicy.recorderView(sys.placement);
    expect(view.owner('web')).toBe('source');
    expect(view.owner('web-eci')).toBeUndefined();
    expect(view.pods?.deployment).toBe('web');
    expect(view.pods?.owner({ annotations: {}, nodeType: 'ecs' })).toBe('source');
    expect(view.pods?.owner({ annotations: {}, nodeType: 'eci' })).toBe('web-eci');
    expect(view.pods?.owner({ annotations: {}, nodeType: undefined })).toBeUndefined();
    expect(view.resource).toMatchObject({ kind: 'Deployment', name: 'web' });
  });

  it('simulates the testdata scenario: ECS fills to the unit\'s max first, ECI drains first, every expectation passes', async () => {
    const s = await loadScenario(`${DIR}scenario.yaml`);
    const sys = systemFromScenario(s, harnessSystemManifests(harnessManifestsFrom(objects(), discoverSystem(objects(), 'rp'), 'rp')));
    const tl = simulate(s, sys).timeline!;
    const ecsMax = Math.max(...tl.samples.map((x) => x.ew.source));
    const eciMax = Math.max(...tl.samples.map((x) => x.ew.units['web-eci'] ?? 0));
    expect(ecsMax).toBe(2);
    expect(eciMax).toBeGreaterThan(0);
    // Whenever ECI pods exist, ECS is at its max.
    expect(tl.samples.filter((x) => (x.ew.units['web-eci'] ?? 0) > 0).every((x) => x.ew.source === 2)).toBe(true);
    const results = checkAll(tl, s.expectations);
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });
});
