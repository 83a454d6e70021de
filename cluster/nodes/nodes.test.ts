import { describe, expect, it } from 'vitest';
import { checkNodePools, defaultNodePools, nodePoolsSchema } from './config.ts';
import { drawEciLatency, failureDecider, seededRandom } from './latency.ts';
import { allNodes, eciNode } from './objects.ts';
import { ECI_READY_AT, renderStages } from './stages.ts';

describe('node pools', () => {
  it('defaults to 3 ECS nodes and the ACK virtual node', () => {
    const nodes = allNodes(defaultNodePools());
    expect(nodes.map((n) => n.metadata!.name)).toEqual(['ecs-000', 'ecs-001', 'ecs-002', 'virtual-kubelet-cn-hangzhou-i']);
    const vn = eciNode(defaultNodePools().eci);
    expect(vn.metadata!.labels!.type).toBe('virtual-kubelet');
    expect(vn.spec!.taints).toEqual([{ key: 'virtual-kubelet.io/provider', value: 'alibabacloud', effect: 'NoSchedule' }]);
  });

  it('rejects unknown fields, negative counts and bad quantities', () => {
    expect(() => nodePoolsSchema.parse({ ecs: [{ name: 'a', count: 1, colour: 'red' }] })).toThrow(/colour/);
    expect(() => nodePoolsSchema.parse({ ecs: [{ name: 'a', count: -1 }] })).toThrow(/>=0|too_small|Too small/i);
    expect(() => nodePoolsSchema.parse({ ecs: [{ name: 'a', count: 1, memory: '16 gigs' }] })).toThrow(/quantity/);
  });

  it('capacities are the quantities units.ts reads, non-negative and written as the Node will carry them', () => {
    for (const memory of ['16Gi', '16384Mi', '17179869184', '1.5Ti', '0']) expect(nodePoolsSchema.parse({ ecs: [{ name: 'a', count: 1, memory }] }).ecs[0]!.memory).toBe(memory);
    for (const memory of ['-16Gi', ' 16Gi', '16gi', '1e999', '16 Gi']) expect(() => nodePoolsSchema.parse({ ecs: [{ name: 'a', count: 1, memory }] }), memory).toThrow(/quantity/);
  });

  it('checks cross-field rules', () => {
    const p = nodePoolsSchema.parse({
      ecs: [{ name: 'a', count: 1 }, { name: 'a', count: 2, startLatency: { min: 5, max: 1 } }],
      eci: { failures: { podNamePattern: '(' } },
    });
    const errs = checkNodePools(p);
    expect(errs.join('\n')).toMatch(/duplicate pool name "a"/);
    expect(errs.join('\n')).toMatch(/ecs\[1\]\.startLatency: min 5 > max 1/);
    expect(errs.join('\n')).toMatch(/podNamePattern/);
  });
});

describe('ECI latency and failures', () => {
  const lat = defaultNodePools().eci.startLatency;
  it('is deterministic for a seed and within the configured bounds', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 200 }, () => drawEciLatency(lat, a));
    expect(Array.from({ length: 200 }, () => drawEciLatency(lat, b))).toEqual(xs);
    const lo = lat.startSeconds + lat.imagePull.min - lat.jitterSeconds;
    const hi = lat.startSeconds + lat.imagePull.max + lat.jitterSeconds;
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(lo);
    expect(Math.max(...xs)).toBeLessThanOrEqual(hi);
    expect(new Set(xs.map((x) => Math.round(x))).size).toBeGreaterThan(3);
    expect(drawEciLatency(lat, seededRandom(43))).not.toBe(xs[0]);
  });

  it('fails pods by name pattern, by chance, and up to a maximum', () => {
    const base = { mode: 'failed' as const, reason: 'R', message: 'm', probability: 0 };
    const byName = failureDecider({ ...base, podNamePattern: '^bad-' }, seededRandom(1));
    expect(byName.decide('bad-1')?.reason).toBe('R');
    expect(byName.decide('good-1')).toBeUndefined();
    const capped = failureDecider({ ...base, probability: 1, maxFailures: 2 }, seededRandom(1));
    expect([1, 2, 3, 4].map((i) => capped.decide(`p${i}`) !== undefined)).toEqual([true, true, false, false]);
    const half = failureDecider({ ...base, probability: 0.5 }, seededRandom(7));
    const n = Array.from({ length: 1000 }, (_, i) => half.decide(`p${i}`)).filter(Boolean).length;
    expect(n).toBeGreaterThan(400);
    expect(n).toBeLessThan(600);
  });
});

describe('KWOK stages', () => {
  it('divides ECS start delays by the compression factor', () => {
    const stages = renderStages(defaultNodePools(), 10) as { metadata: { name: string }; spec: { delay?: { durationMilliseconds: number; jitterDurationMilliseconds?: number } } }[];
    const ecs = stages.find((s) => s.metadata.name === 'pod-ready-ecs');
    expect(ecs?.spec.delay).toEqual({ durationMilliseconds: 100, jitterDurationMilliseconds: 300 });
  });

  it('gates ECI readiness on the agent stamp and never on the ECS stage', () => {
    const stages = renderStages(defaultNodePools(), 1) as { metadata: { name: string }; spec: { selector: { matchExpressions: { key: string; operator: string; values?: string[] }[] }; delay?: unknown } }[];
    const eci = stages.find((s) => s.metadata.name === 'pod-ready-eci')!;
    expect(eci.spec.selector.matchExpressions).toContainEqual({ key: `.metadata.annotations["${ECI_READY_AT}"]`, operator: 'Exists' });
    expect(eci.spec.delay).toMatchObject({ durationFrom: { expressionFrom: `.metadata.annotations["${ECI_READY_AT}"]` } });
    const ecs = stages.find((s) => s.metadata.name === 'pod-ready-ecs')!;
    const nodeSel = ecs.spec.selector.matchExpressions.find((e) => e.key === '.spec.nodeName');
    expect(nodeSel?.values).toEqual(['ecs-000', 'ecs-001', 'ecs-002']);
  });

  it('omits ECI stages when the virtual node is disabled', () => {
    const p = nodePoolsSchema.parse({ eci: { enabled: false } });
    const names = (renderStages(p, 1) as { metadata: { name: string } }[]).map((s) => s.metadata.name);
    expect(names.some((n) => n.includes('eci'))).toBe(false);
    expect(allNodes(p)).toHaveLength(3);
  });
});
