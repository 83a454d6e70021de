import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kinds/model/objects.ts';
import { baseManifests } from '../simulator/system.ts';
import { CONVERTERS, converterFor, type MigrationInput } from './index.ts';

/** The ElasticWorkload's fields the cases edit. */
interface EwEdit {
  spec: { sourceTarget: { min?: number; max?: number }; elasticUnit: { name: string; min?: number; max?: number; affinity?: unknown; nodeSelector: Record<string, string>; tolerations: unknown[] }[] };
}
/** The fields of a converted object the assertions read. */
interface Spec {
  selector?: unknown;
  template: { deploymentTemplate: { metadata: { labels: unknown }; spec: { template: unknown } } };
  topology: { subsets: { name: string; maxReplicas?: number; minReplicas?: number }[] };
  targetRef?: unknown;
  subsets: Record<string, unknown>[];
}

/** The shipped ElasticWorkload (source max 2, unit virtual-kubelet), its Deployment and HPA. */
function shipped(edit?: (ew: EwEdit) => void): MigrationInput {
  const m = baseManifests();
  const ew = structuredClone(m.placement!) as KubeObject & EwEdit;
  edit?.(ew);
  return { hpa: m.hpa, ew, deployment: m.deployment, fileOf: (o) => `base/${o.kind}.yaml` };
}
const specOf = (o: KubeObject) => o.spec as Spec;

describe('UnitedDeployment from an ElasticWorkload', () => {
  it('writes ACK\'s UnitedDeployment-with-HPA shape: the template, ECS up to the source max, then the virtual node', () => {
    const m = CONVERTERS.uniteddeployment.convert(shipped());
    const ud = m.add[0]!;
    expect(ud).toMatchObject({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'UnitedDeployment', metadata: { name: 'nginx', namespace: 'default' } });
    const spec = specOf(ud);
    expect(spec.selector).toEqual({ matchLabels: { app: 'nginx' } });
    expect(spec.template.deploymentTemplate.metadata.labels).toEqual({ app: 'nginx' });
    expect(spec.template.deploymentTemplate.spec.template).toEqual(specOf(baseManifests().deployment).template);
    expect(spec.topology.subsets).toEqual([
      { name: 'ecs', nodeSelectorTerm: { matchExpressions: [{ key: 'type', operator: 'NotIn', values: ['virtual-kubelet'] }] }, maxReplicas: 2 },
      {
        name: 'eci',
        nodeSelectorTerm: { matchExpressions: [{ key: 'type', operator: 'In', values: ['virtual-kubelet'] }] },
        tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }],
        patch: { metadata: { labels: { 'alibabacloud.com/eci': 'true' } } },
      },
    ]);
    expect(m.remove.map((o) => o.kind)).toEqual(['ElasticWorkload', 'Deployment']);
    expect(m.hpaTarget).toEqual({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'UnitedDeployment', name: 'nginx' });
  });

  it('several units become subsets of their own names, in order, each with its max', () => {
    const m = CONVERTERS.uniteddeployment.convert(shipped((ew) => ew.spec.elasticUnit.unshift({ name: 'reserved', max: 3, nodeSelector: { type: 'virtual-kubelet' } })));
    expect(specOf(m.add[0]!).topology.subsets.map((s) => [s.name, s.maxReplicas])).toEqual([['ecs', 2], ['reserved', 3], ['virtual-kubelet', undefined]]);
  });
});

describe('WorkloadSpread and ResourcePolicy from an ElasticWorkload', () => {
  it('WorkloadSpread: targetRef the Deployment, ECS up to the source max, the rest on the virtual node; the HPA on the Deployment', () => {
    const m = CONVERTERS.workloadspread.convert(shipped());
    const spec = specOf(m.add[0]!);
    expect(spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' });
    expect(spec.subsets.map((s) => [s.name, s.maxReplicas, s.requiredNodeSelectorTerm])).toEqual([
      ['ecs', 2, { matchExpressions: [{ key: 'type', operator: 'NotIn', values: ['virtual-kubelet'] }] }],
      ['eci', undefined, { matchExpressions: [{ key: 'type', operator: 'In', values: ['virtual-kubelet'] }] }],
    ]);
    expect(m.remove.map((o) => o.kind)).toEqual(['ElasticWorkload']);
    expect(m.hpaTarget).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' });
  });

  it('ResourcePolicy: the pods\' labels as selector, units ecs (max) then eci with the unit\'s pod labels', () => {
    const m = CONVERTERS.resourcepolicy.convert(shipped());
    expect(m.add[0]).toMatchObject({ apiVersion: 'scheduling.alibabacloud.com/v1alpha1', kind: 'ResourcePolicy' });
    expect(specOf(m.add[0]!)).toEqual({ selector: { app: 'nginx' }, strategy: 'prefer', units: [{ resource: 'ecs', max: 2 }, { resource: 'eci', podLabels: { 'alibabacloud.com/eci': 'true' } }] });
    expect(m.hpaTarget.kind).toBe('Deployment');
  });
});

describe('what a converter cannot carry over is refused, naming the file, the object and the field', () => {
  it('a unit\'s affinity or min, for every successor', () => {
    for (const c of Object.values(CONVERTERS)) {
      expect(() => c.convert(shipped((ew) => (ew.spec.elasticUnit[0].affinity = { nodeAffinity: {} })))).toThrow(/^base\/ElasticWorkload\.yaml: ElasticWorkload default\/nginx: spec\.elasticUnit\[0\]\.affinity: /);
      expect(() => c.convert(shipped((ew) => (ew.spec.elasticUnit[0].min = 1)))).toThrow(/spec\.elasticUnit\[0\]\.min: 1: /);
    }
  });

  it('a source min where the successor has no floor; a ResourcePolicy unit selecting or tolerating more than the virtual node', () => {
    const min = (ew: EwEdit) => (ew.spec.sourceTarget.min = 1);
    expect(() => CONVERTERS.workloadspread.convert(shipped(min))).toThrow(/spec\.sourceTarget\.min: 1: a WorkloadSpread has no minimum/);
    expect(() => CONVERTERS.resourcepolicy.convert(shipped(min))).toThrow(/spec\.sourceTarget\.min: 1: a ResourcePolicy has no minimum/);
    expect(specOf(CONVERTERS.uniteddeployment.convert(shipped(min)).add[0]!).topology.subsets[0].minReplicas).toBe(1);
    expect(() => CONVERTERS.resourcepolicy.convert(shipped((ew) => (ew.spec.elasticUnit[0].nodeSelector.zone = 'b')))).toThrow(/spec\.elasticUnit\[0\]\.nodeSelector\.zone: /);
    expect(() => CONVERTERS.resourcepolicy.convert(shipped((ew) => ew.spec.elasticUnit[0].tolerations.push({ key: 'spot', operator: 'Exists' })))).toThrow(/spec\.elasticUnit\[0\]\.tolerations\[1\]: /);
  });

  it('an HPA that scales something else, and a successor ebbflow does not know', () => {
    const input = shipped();
    const other = { ...input, hpa: { ...input.hpa, spec: { ...specOf(input.hpa), scaleTargetRef: { kind: 'Deployment', name: 'nginx' } } } };
    expect(() => CONVERTERS.uniteddeployment.convert(other)).toThrow(/spec\.scaleTargetRef names Deployment nginx, not ElasticWorkload default\/nginx/);
    expect(() => converterFor('cloneset')).toThrow(/--to cloneset: not a successor ebbflow converts to/);
  });
});
