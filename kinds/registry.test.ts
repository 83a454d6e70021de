import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { nodePoolsSchema } from '../cluster/nodes/config.ts';
import { timelineTiers } from '../core/checks/tiers.ts';
import type { KubeObject } from './model/objects.ts';
import { PLACEMENTS, SCALERS, placementFor, placementKind, scalerKind } from './registry.ts';
import { resolveSystem, type SystemManifests } from './system.ts';

const base = (f: string) => YAML.parse(readFileSync(fileURLToPath(new URL(`../manifests/base/${f}`, import.meta.url)), 'utf8')) as KubeObject;
const shipped = (): SystemManifests => ({ hpa: base('autoscaling/hpa.yaml'), placement: base('autoscaling/elasticworkload.yaml'), deployment: base('workload/deployment.yaml'), source: 'manifests/base' });
const direct = (): SystemManifests => {
  const { placement: _, ...m } = shipped();
  return m;
};
// ACK's UnitedDeployment example (kinds/placement/uniteddeployment/testdata): its ECS subset selects the pool's label.
const udFile = fileURLToPath(new URL('./placement/uniteddeployment/testdata/ack-hpa/manifests.yaml', import.meta.url));
const united = (): SystemManifests => {
  const docs = YAML.parseAllDocuments(readFileSync(udFile, 'utf8')).map((d) => d.toJS() as KubeObject);
  const ud = docs.find((o) => o.kind === 'UnitedDeployment')!;
  const template = (ud.spec as { template: { deploymentTemplate: { spec: object } } }).template.deploymentTemplate;
  return { hpa: docs.find((o) => o.kind === 'HorizontalPodAutoscaler')!, placement: ud, deployment: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: template.spec }, source: udFile };
};
// A Deployment under a WorkloadSpread (kinds/placement/workloadspread/testdata): the same subsets.
const wsFile = fileURLToPath(new URL('./placement/workloadspread/testdata/deployment/manifests.yaml', import.meta.url));
const spread = (): SystemManifests => {
  const docs = YAML.parseAllDocuments(readFileSync(wsFile, 'utf8')).map((d) => d.toJS() as KubeObject);
  return { hpa: docs.find((o) => o.kind === 'HorizontalPodAutoscaler')!, placement: docs.find((o) => o.kind === 'WorkloadSpread')!, deployment: docs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web')!, source: wsFile };
};
const udPool = { nodes: nodePoolsSchema.parse({ ecs: [{ name: 'ecs', count: 2, labels: { 'alibabacloud.com/nodepool-id': 'np-ecs' } }] }) };

describe('the registry: every kind once, looked up by name or by target', () => {
  it('kinds and the targets they answer are unique', () => {
    const names = PLACEMENTS.map((p) => p.kind);
    // A kind beside its target (a ResourcePolicy selecting a Deployment's pods) is found by \`beside\`; the others answer their targets alone.
    const targets = PLACEMENTS.flatMap((p) => p.targets);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(targets).size).toBe(targets.length);
    expect(targets).toEqual(['ElasticWorkload', 'Deployment', 'StatefulSet', 'UnitedDeployment', 'WorkloadSpread']);
    expect(SCALERS.map((s) => s.kind)).toEqual(['ScaledObject', 'HorizontalPodAutoscaler']);
  });

  it('finds a kind by its name or a target\'s kind, and says what is not registered', () => {
    expect(placementFor('StatefulSet')?.kind).toBe('Deployment');
    expect(placementFor('ReplicaSet')).toBeUndefined();
    expect(placementKind('ElasticWorkload').targets).toEqual(['ElasticWorkload']);
    expect(scalerKind('HorizontalPodAutoscaler').kind).toBe('HorizontalPodAutoscaler');
    expect(scalerKind('ScaledObject').kind).toBe('ScaledObject');
    expect(placementFor('UnitedDeployment')?.kind).toBe('UnitedDeployment');
    expect(placementFor('WorkloadSpread')?.kind).toBe('WorkloadSpread');
    expect(() => placementKind('NoSuchKind')).toThrow(/no placement kind "NoSuchKind" is registered/);
  });
});

describe('each placement kind, resolved from the shipped manifests, agrees with itself across simulator, recorder and checks', () => {
  for (const [name, manifests, kind, overrides] of [['ElasticWorkload', shipped, 'ElasticWorkload', {}], ['a Deployment the HPA scales', direct, 'Deployment', {}], ['UnitedDeployment', united, 'UnitedDeployment', udPool], ['WorkloadSpread', spread, 'WorkloadSpread', udPool]] as const) {
    it(name, () => {
      const { placement } = resolveSystem(overrides, manifests());
      expect(placement.kind).toBe(kind);
      const k = placementKind(placement.kind);
      // The recorder's owners land in the checks' tiers in the same order, on the same nodes.
      const view = k.recorderView(placement);
      const checks = timelineTiers(k.words);
      const tierOf = placement.tiers.map((t) => checks.tierOf(view.owner(t.deployment)));
      expect(tierOf[0]).toBe(0);
      expect(tierOf.slice(1).every((t) => t > 0)).toBe(true);
      expect(placement.tiers.map((t, i) => checks.nodeOf(tierOf[i]!) === t.node)).toEqual(placement.tiers.map(() => true));
      expect(view.owner('some-other-deployment')).toBeUndefined();
      // The split fills the cheapest tier first, overflow only beyond its max, and never exceeds a tier's max.
      for (let total = 0; total <= 12; total++) {
        const split = k.split(placement, total);
        expect(split).toHaveLength(placement.tiers.length);
        split.forEach((n, i) => expect(n).toBeLessThanOrEqual(placement.tiers[i]!.max ?? Infinity));
        if (split.slice(1).some((n) => n > 0)) expect(split[0]).toBe(placement.tiers[0]!.max);
        expect(split.reduce((a, b) => a + b, 0)).toBe(Math.min(total, placement.tiers.reduce((a, t) => a + (t.max ?? Infinity), 0)));
      }
    });
  }
});
