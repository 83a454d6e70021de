import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hpaOps, kustomization } from './patch.ts';

const from = { target: 1000, minReplicas: 1, maxReplicas: 10, stabilization: 300, sourceMax: 2, ecsNodes: 3 };
const hpa = (spec: Record<string, unknown>) => ({ kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'ns' }, spec: { metrics: [{ type: 'Object' }], ...spec } });

describe('advise patch', () => {
  it('writes only what changes, creating the behavior where the HPA has none', () => {
    expect(hpaOps(hpa({}), from, { ...from, maxReplicas: 7, stabilization: 0 })).toEqual([
      { op: 'add', path: '/spec/maxReplicas', value: 7 },
      { op: 'add', path: '/spec/behavior', value: { scaleDown: { stabilizationWindowSeconds: 0 } } },
    ]);
  });

  it('keeps the rest of an existing behavior: only the scale-down stabilization is set', () => {
    expect(hpaOps(hpa({ behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } }), from, { ...from, stabilization: 60 })).toEqual([{ op: 'add', path: '/spec/behavior/scaleDown', value: { stabilizationWindowSeconds: 60 } }]);
    expect(hpaOps(hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max' } } }), from, { ...from, stabilization: 120 })).toEqual([{ op: 'add', path: '/spec/behavior/scaleDown/stabilizationWindowSeconds', value: 120 }]);
  });

  it('targets the HPA and the ElasticWorkload by kind, name and namespace over the team directory', () => {
    const k = parse(kustomization({ resource: '../base', hpa: hpa({}), placement: { kind: 'ElasticWorkload', metadata: { name: 'e', namespace: 'ns' } }, from, to: { ...from, target: 900, sourceMax: 4 } })) as { resources: string[]; patches: { target: unknown; patch: string }[] };
    expect(k.resources).toEqual(['../base']);
    expect(k.patches.map((p) => p.target)).toEqual([{ kind: 'HorizontalPodAutoscaler', name: 'h', namespace: 'ns' }, { kind: 'ElasticWorkload', name: 'e', namespace: 'ns' }]);
    expect(parse(k.patches[0]!.patch)).toEqual([
      { op: 'replace', path: '/spec/metrics/0/object/target', value: { type: 'AverageValue', averageValue: '900' } },
      { op: 'add', path: '/spec/behavior', value: { scaleDown: { stabilizationWindowSeconds: 300 } } },
    ]);
    expect(parse(k.patches[1]!.patch)).toEqual([{ op: 'add', path: '/spec/sourceTarget/max', value: 4 }]);
  });

  it('writes the scale-up tolerance as a quantity into the behavior, beside the stabilization', () => {
    expect(hpaOps(hpa({}), { ...from, scaleUpTolerance: null }, { ...from, scaleUpTolerance: 0.05 })).toEqual([{ op: 'add', path: '/spec/behavior', value: { scaleUp: { tolerance: '50m' }, scaleDown: { stabilizationWindowSeconds: 300 } } }]);
    expect(hpaOps(hpa({ behavior: { scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 300 } } }), { ...from, scaleUpTolerance: null }, { ...from, scaleUpTolerance: 0 })).toEqual([{ op: 'add', path: '/spec/behavior/scaleUp/tolerance', value: '0' }]);
    // Today's tolerance kept: nothing written for it.
    expect(hpaOps(hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } }), { ...from, scaleUpTolerance: null }, { ...from, scaleUpTolerance: null })).toEqual([]);
  });

  it('lists a CronHPA file beside the team directory in resources', () => {
    const k = parse(kustomization({ resource: '../base', hpa: hpa({}), from, to: from, extra: ['cronhpa.yaml'] })) as { resources: string[] };
    expect(k.resources).toEqual(['../base', 'cronhpa.yaml']);
  });
});
