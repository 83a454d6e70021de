import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { countPods, podDeployment, podNodeType, podWorkload } from './classify.ts';

const pod = (name: string, o: { node?: string; ready?: boolean; phase?: string; rs?: string; hash?: string; deleting?: boolean; eciSelector?: boolean }): V1Pod => ({
  metadata: {
    name,
    labels: o.hash ? { 'pod-template-hash': o.hash } : {},
    ownerReferences: o.rs ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.rs, uid: 'u' }] : [],
    ...(o.deleting ? { deletionTimestamp: new Date() } : {}),
  },
  spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}), ...(o.eciSelector ? { nodeSelector: { type: 'virtual-kubelet' } } : {}) },
  status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }] },
});

describe('pod classification', () => {
  const vn = 'virtual-kubelet-cn-hangzhou-i';
  it('knows ECS from ECI by node and the owning Deployment by ReplicaSet', () => {
    expect(podNodeType(pod('a', { node: vn }), vn)).toBe('eci');
    expect(podNodeType(pod('a', { node: 'ecs-000' }), vn)).toBe('ecs');
    expect(podNodeType(pod('a', {}), vn)).toBeUndefined();
    expect(podDeployment(pod('a', { rs: 'nginx-unit-virtual-kubelet-6f86f85f86', hash: '6f86f85f86' }))).toBe('nginx-unit-virtual-kubelet');
    expect(podDeployment(pod('a', { rs: 'nginx-85f6b67ff7' }))).toBe('nginx');
  });

  it('names a CloneSet\'s pod by its owner as it is (no ReplicaSet, no hash suffix to strip), and no Deployment', () => {
    const p: V1Pod = { metadata: { name: 'web-ecs-9xv2q-abcde', ownerReferences: [{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'web-ecs-9xv2q', uid: 'u' }] } };
    expect(podWorkload(p, 'CloneSet')).toBe('web-ecs-9xv2q');
    expect(podWorkload(p)).toBeUndefined();
    expect(podWorkload(pod('a', { rs: 'nginx-85f6b67ff7', hash: '85f6b67ff7' }), 'CloneSet')).toBeUndefined();
    expect(podWorkload(pod('a', { rs: 'nginx-85f6b67ff7', hash: '85f6b67ff7' }))).toBe('nginx');
  });

  it('counts ready, pending and failed pods per node type, skipping deleting pods', () => {
    const pods = [
      pod('1', { node: 'ecs-000', ready: true }),
      pod('2', { node: 'ecs-001', ready: false }),
      pod('3', { node: vn, ready: true }),
      pod('4', { node: vn, phase: 'Failed' }),
      pod('5', { eciSelector: true, phase: 'Pending' }),
      pod('6', { node: 'ecs-000', ready: true, deleting: true }),
    ];
    expect(countPods(pods, vn, () => true)).toEqual({ ecs: { ready: 1, pending: 1, failed: 0 }, eci: { ready: 1, pending: 1, failed: 1 } });
  });
});
