import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { isUserError } from '../../../core/errors.ts';
import type { DiscoveryContext } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';
import { hpa } from '../hpa/index.ts';
import { discoverScaledObject } from './discover.ts';
import { compileFormula } from './formula.ts';
import { generatedHpa, kedaKind } from './index.ts';
import { kedaBehaviour, kedaWithOverrides } from './resolve.ts';

const shipped = YAML.parse(readFileSync(new URL('../../../manifests/components/keda/scaledobject.yaml', import.meta.url), 'utf8')) as KubeObject;
const keda = kedaKind(hpa);

function so(spec: Record<string, unknown>, name = 'chat'): KubeObject {
  return { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name, namespace: 'prod' }, spec: { scaleTargetRef: { name: 'chat' }, triggers: [{ type: 'external', metadata: { metric: 'active_devices', targetValue: '1000' } }], ...spec } };
}
const ctx = (objects: KubeObject[]): DiscoveryContext => ({ objects, where: 'test', fileOf: (o) => `${o.metadata.name}.yaml`, warnings: [] });
const flags = hpa.flags({});
const run = (o: KubeObject) => {
  const spec = keda.model(o, 'test');
  return keda.simulation(spec, flags, { precomputed: false });
};
const error = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return isUserError(e) ? e.message : `not a UserError: ${String(e)}`;
  }
  return 'no error';
};

describe('the HPA KEDA generates', () => {
  it('from the shipped ScaledObject: keda-hpa-nginx, External s0-active_devices at 1k per replica', () => {
    const h = generatedHpa(shipped);
    expect(h.metadata.name).toBe('keda-hpa-nginx');
    expect(h.spec).toEqual({
      scaleTargetRef: { apiVersion: 'autoscaling.alibabacloud.com/v1beta1', kind: 'ElasticWorkload', name: 'nginx' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'External', external: { metric: { name: 's0-active_devices', selector: { matchLabels: { 'scaledobject.keda.sh/name': 'nginx' } } }, target: { type: 'AverageValue', averageValue: '1000' } } }],
    });
  });

  it('takes KEDA\'s defaults, minReplicaCount 0 as minReplicas 1, behavior, metricType and scalingModifiers', () => {
    const bare = generatedHpa(so({}));
    expect(bare.spec).toMatchObject({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat' }, minReplicas: 1, maxReplicas: 100 });
    const behavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
    const full = generatedHpa(so({ minReplicaCount: 3, maxReplicaCount: 7, advanced: { horizontalPodAutoscalerConfig: { name: 'mine', behavior } }, triggers: [{ type: 'external', metricType: 'Value', metadata: { metric: 'm', targetValue: '5' } }] }));
    expect(full.metadata.name).toBe('mine');
    expect(full.spec).toMatchObject({ minReplicas: 3, maxReplicas: 7, behavior, metrics: [{ external: { metric: { name: 's0-m' }, target: { type: 'Value', value: '5' } } }] });
    const composite = generatedHpa(so({ advanced: { scalingModifiers: { formula: 'devices / 2', target: '500', metricType: 'AverageValue' } } }));
    expect(composite.spec).toMatchObject({ metrics: [{ external: { metric: { name: 'composite-metric' }, target: { type: 'AverageValue', averageValue: '500' } } }] });
  });
});

describe('discovery of a ScaledObject', () => {
  it('finds the one ScaledObject and its target (KEDA\'s default kind Deployment)', () => {
    const found = discoverScaledObject(ctx([so({})]));
    expect(found).toMatchObject({ target: { kind: 'Deployment', name: 'chat' }, services: [] });
    expect(discoverScaledObject(ctx([]))).toBeUndefined();
  });
  it('refuses two, another apiVersion, and an HPA on the same target', () => {
    expect(error(() => discoverScaledObject(ctx([so({}, 'a'), so({}, 'b')])))).toMatch(/2 ScaledObjects found .*a\.yaml.*b\.yaml/);
    expect(error(() => discoverScaledObject(ctx([{ ...so({}), apiVersion: 'keda.k8s.io/v1alpha1' }])))).toMatch(/apiVersion keda\.k8s\.io\/v1alpha1 is not keda\.sh\/v1alpha1/);
    const other: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'old', namespace: 'prod' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'chat' }, maxReplicas: 3 } };
    expect(error(() => discoverScaledObject(ctx([so({}), other])))).toMatch(/HorizontalPodAutoscaler prod\/old scales Deployment chat.*keda-hpa-chat; two HPAs on one target fight/);
  });
});

describe('the scenario\'s hpa: on a ScaledObject', () => {
  it('goes where KEDA reads it', () => {
    const o = kedaWithOverrides(so({}), { hpa: { minReplicas: 2, maxReplicas: 9, target: { type: 'Value', value: 300 }, behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } } } as never, 's.yaml');
    expect(o.spec).toMatchObject({ minReplicaCount: 2, maxReplicaCount: 9, triggers: [{ metricType: 'Value', metadata: { targetValue: '300' } }], advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } } } });
    expect(error(() => kedaWithOverrides(so({ maxReplicaCount: 3 }), { hpa: { minReplicas: 5 } } as never, 's.yaml'))).toMatch(/minReplicas 5 is above maxReplicas 3/);
  });
  it('refuses what the model cannot follow, naming the field', () => {
    expect(error(() => kedaBehaviour(so({ triggers: [] }), 'm'))).toMatch(/spec\.triggers: 0 triggers/);
    expect(error(() => kedaBehaviour(so({ idleReplicaCount: 2 }), 'm'))).toMatch(/spec\.idleReplicaCount: 2/);
    expect(error(() => kedaBehaviour(so({ fallback: { failureThreshold: 3, replicas: 4 }, triggers: [{ type: 'external', metricType: 'Value', metadata: { targetValue: '1' } }] }), 'm'))).toMatch(/spec\.fallback: KEDA applies fallback only to metricType AverageValue/);
    expect(error(() => kedaBehaviour(so({ advanced: { scalingModifiers: { formula: 'max(a, 2)', target: '1' } } }), 'm'))).toMatch(/formula: "max\(a, 2\)"/);
  });
});

describe('KEDA in the simulator', () => {
  it('follows the HPA model on the generated HPA, sync by sync, while active (held to the HPA kind on the same numbers)', () => {
    const k = run(shipped);
    const objectHpa: KubeObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' }, spec: { minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Object', object: { describedObject: { kind: 'Service', name: 's' }, metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '1000' } } }] } };
    const h = hpa.simulation(hpa.model(objectHpa, 't'), flags, { precomputed: false });
    let ck = 1;
    let ch = 1;
    const values = [800, 2500, 4000, 9000, 12000, 12000, 7000, 3000, 1500, 900, 900];
    for (let i = 0; i < values.length * 30; i++) {
      const now = i * 15;
      const v = values[Math.floor(i / 30)]!;
      ck = k.decide(now, ck, ck, v);
      ch = h.decide(now, ch, ch, v);
      expect(ck, `t=${now}`).toBe(ch);
    }
    expect(Math.max(ck, ch)).toBeGreaterThanOrEqual(1);
  });

  it('scales to zero after cooldownPeriod inactive and back from zero at the next poll once active', () => {
    const k = run(so({ minReplicaCount: 0, pollingInterval: 30, cooldownPeriod: 300 }));
    let cur = k.decide(0, 2, 2, 1500);
    expect(cur).toBe(2);
    // Zero devices from t=15: inactive, but the cooldown runs from the last active poll (t=0).
    const at: Record<number, number> = {};
    for (let t = 15; t <= 420; t += 15) at[t] = cur = k.decide(t, cur, cur, 0);
    expect(at[285]).toBeGreaterThan(0);
    expect(at[300]).toBe(0);
    expect(k.decide(435, 0, 0, 0)).toBe(0);
    // Active again at t=450, between polls (every 30 s from t=0): from zero at the poll at t=450.
    expect(k.decide(450, 0, 0, 3000)).toBe(1);
    expect(k.rescale).toBe(true);
  });

  it('activation: at or below activationValue is inactive; polls only every pollingInterval', () => {
    const k = run(so({ minReplicaCount: 0, pollingInterval: 60, triggers: [{ type: 'external', metadata: { metric: 'd', targetValue: '1000', activationValue: '50' } }] }));
    expect(k.decide(0, 0, 0, 50)).toBe(0);
    expect(k.decide(15, 0, 0, 5000)).toBe(0);
    expect(k.decide(45, 0, 0, 5000)).toBe(0);
    expect(k.decide(60, 0, 0, 5000)).toBe(1);
    expect(k.settle(0, 50)).toBe(0);
  });

  it('a failed read holds the replicas; after failureThreshold in a row, fallback.replicas; a good read ends it', () => {
    const k = run(so({ minReplicaCount: 1, fallback: { failureThreshold: 3, replicas: 6 } }));
    let cur = k.decide(0, 2, 2, 2000);
    expect(cur).toBe(2);
    cur = k.decide(15, cur, cur, Number.NaN);
    expect(cur).toBe(2);
    cur = k.decide(30, cur, cur, Number.NaN);
    expect(cur).toBe(2);
    // The HPA then moves towards fallback.replicas at its own pace (no behavior: at most max(2×, 4) a sync).
    cur = k.decide(45, cur, cur, Number.NaN);
    expect(cur).toBe(4);
    cur = k.decide(60, cur, cur, Number.NaN);
    expect(cur).toBe(6);
    // A good read ends the fallback: the HPA follows the value again (scale-down waits out its window).
    cur = k.decide(75, cur, cur, 9000);
    expect(cur).toBe(9);
    const without = run(so({ minReplicaCount: 1 }));
    let c2 = 2;
    for (let t = 0; t < 600; t += 15) c2 = without.decide(t, c2, c2, Number.NaN);
    expect(c2).toBe(2);
    // A failed read never deactivates: no scale to zero on errors.
    const zero = run(so({ minReplicaCount: 0, cooldownPeriod: 0 }));
    expect(zero.decide(0, 3, 3, Number.NaN)).toBe(3);
  });

  it('scalingModifiers: the HPA reads the formula over the trigger', () => {
    const k = run(so({ advanced: { scalingModifiers: { formula: 'devices * 2', target: '1000', activationTarget: '10' } }, triggers: [{ type: 'external', name: 'devices', metadata: { metric: 'active_devices', targetValue: '1000' } }] }));
    expect(k.decide(0, 1, 1, 2000)).toBe(4);
  });
});

describe('compileFormula', () => {
  it('evaluates numbers, trigger names, + - * / and parentheses with precedence', () => {
    expect(compileFormula('(a + b) * 2 - c / 4', ['a', 'b', 'c'], 'f')({ a: 1, b: 2, c: 8 })).toBe(4);
    expect(compileFormula('-a + 1.5e1', ['a'], 'f')({ a: 3 })).toBe(12);
  });
  it('refuses what it does not model', () => {
    for (const bad of ['a > 1 ? 2 : 3', 'max(a, 1)', 'a +', '(a', 'z * 2']) expect(error(() => compileFormula(bad, ['a'], 'f')), bad).toMatch(/^f: /);
  });
});
