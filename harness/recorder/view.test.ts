import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { placementKind } from '../../kinds/registry.ts';
import { countPods } from './classify.ts';
import { belongsTo, destinationOf, ownerOf, splitOf, splitOfPods, viewFromNames } from './view.ts';

const dep = (name: string, replicas: number): V1Deployment => ({ metadata: { name }, spec: { replicas, selector: {}, template: {} } });
const podOf = (deployment: string): V1Pod => ({ metadata: { name: `${deployment}-abc12-xyz`, labels: { 'pod-template-hash': 'abc12' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deployment}-abc12`, uid: 'u' }] } });

describe('the recorder\'s view of a placement, from its kind', () => {
  const deps = [dep('nginx', 2), dep('nginx-unit-virtual-kubelet', 3), dep('nginx-unit-gone', 1), dep('exporter', 1)];

  it('an ElasticWorkload: the source is tier 0, every unit Deployment (also one no longer listed) overflow; the total is the object\'s', () => {
    const view = viewFromNames({ ewName: 'nginx-ew', sourceName: 'nginx' });
    expect(splitOf(view, deps)).toEqual({ source: 2, units: { 'nginx-unit-virtual-kubelet': 3, 'nginx-unit-gone': 1 } });
    expect(view.resource).toMatchObject({ group: 'autoscaling.alibabacloud.com', version: 'v1beta1', plural: 'elasticworkloads', kind: 'ElasticWorkload', name: 'nginx-ew' });
    expect([ownerOf(view, podOf('nginx')), ownerOf(view, podOf('nginx-unit-virtual-kubelet')), ownerOf(view, podOf('exporter'))]).toEqual(['source', 'nginx-unit-virtual-kubelet', undefined]);
    expect([podOf('nginx'), podOf('exporter')].map(belongsTo(view))).toEqual([true, false]);
  });

  it('a Deployment the HPA scales itself: one tier, no object, the total is its replicas', () => {
    const view = viewFromNames({ ewName: 'nginx', sourceName: 'nginx', direct: true });
    expect(splitOf(view, deps)).toEqual({ source: 2, units: {} });
    expect(view.resource).toBeUndefined();
    expect(belongsTo(view)(podOf('nginx-unit-virtual-kubelet'))).toBe(false);
  });

  it('a WorkloadSpread: the tiers share one Deployment, told apart by the subset kruise wrote on each pod; the split is counted from the pods', () => {
    const object = { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'WorkloadSpread', metadata: { name: 'nginx' }, spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' } } };
    const view = placementKind('WorkloadSpread').recorderView({ kind: 'WorkloadSpread', object, tiers: [{ deployment: 'nginx-ecs', unit: 'ecs', max: 2, node: 'ecs' }, { deployment: 'nginx-eci', unit: 'eci', node: 'eci' }] });
    const inSubset = (subset: string, extra: Partial<V1Pod> = {}): V1Pod => {
      const p = podOf('nginx');
      return { ...p, ...extra, metadata: { ...p.metadata, annotations: { 'apps.kruise.io/matched-workloadspread': JSON.stringify({ name: 'nginx', subset }) } } };
    };
    const pods = [inSubset('ecs', { spec: { nodeName: 'ecs-0', containers: [] } }), inSubset('ecs', { spec: { nodeName: 'ecs-1', containers: [] } }), inSubset('eci', { spec: { nodeName: 'vk', containers: [] } }), inSubset('eci'), inSubset('eci', { status: { phase: 'Failed' } }), podOf('exporter')];
    expect(pods.map(belongsTo(view))).toEqual([true, true, true, true, true, false]);
    expect(ownerOf(view, pods[2]!, 'vk')).toBe('nginx-eci');
    expect(splitOfPods(view, pods, 'vk')).toEqual({ source: 2, units: { 'nginx-eci': 2 } });
    // The unbound ECI pod (node affinity, no nodeSelector) is pending where its subset runs.
    expect(countPods(pods, 'vk', belongsTo(view), destinationOf(view, 'vk'))).toEqual({ ecs: { ready: 0, pending: 2, failed: 0 }, eci: { ready: 0, pending: 2, failed: 1 } });
    expect(splitOf(view, deps)).toEqual({ source: 0, units: {} });
  });

  it('tiers told apart by node (a ResourcePolicy): a pod joins its tier once bound, the split counts the live bound pods', () => {
    const view = placementKind('ResourcePolicy').recorderView({ kind: 'ResourcePolicy', tiers: [{ deployment: 'web', unit: 'ecs', max: 2, node: 'ecs' }, { deployment: 'web', unit: 'eci', node: 'eci' }] });
    const on = (node: string | undefined, deleting = false): V1Pod => ({ ...podOf('web'), spec: { containers: [], ...(node ? { nodeName: node } : {}) }, metadata: { ...podOf('web').metadata, ...(deleting ? { deletionTimestamp: new Date() } : {}) } });
    const vk = 'virtual-kubelet-cn-hangzhou-k';
    expect([ownerOf(view, on('ecs-000'), vk), ownerOf(view, on(vk), vk), ownerOf(view, on(undefined), vk)]).toEqual(['source', 'web-eci', undefined]);
    expect(belongsTo(view)(on(undefined))).toBe(true);
    const pods = [on('ecs-000'), on('ecs-001'), on(vk), on(vk), on(vk, true), on(undefined), podOf('exporter')];
    expect(splitOfPods(view, pods, vk)).toEqual({ source: 2, units: { 'web-eci': 2 } });
  });
});
