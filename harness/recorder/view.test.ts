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

  /** A pod of a CloneSet as kruise creates it: owned by the CloneSet itself, a controller-revision-hash label, no pod-template-hash. */
  const cloneSetPod = (cloneSet: string, extra: Partial<V1Pod> = {}): V1Pod => ({
    metadata: { name: `${cloneSet}-x7k2p`, labels: { 'controller-revision-hash': `${cloneSet}-5d8f9c7b6d` }, ownerReferences: [{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: cloneSet, uid: 'u', controller: true }], ...extra.metadata },
    spec: { containers: [], ...extra.spec },
    ...(extra.status ? { status: extra.status } : {}),
  });
  const cloneSet = (name: string, replicas: number) => ({ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', metadata: { name }, spec: { replicas } });

  it('a UnitedDeployment with a cloneSetTemplate: its subsets\' CloneSets are the tiers, their pods owned by them directly', () => {
    const object = { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'UnitedDeployment', metadata: { name: 'web' }, spec: { template: { cloneSetTemplate: { spec: {} } } } };
    const view = placementKind('UnitedDeployment').recorderView({ kind: 'UnitedDeployment', object, tiers: [{ deployment: 'web-ecs', unit: 'ecs', max: 2, node: 'ecs' }, { deployment: 'web-eci', unit: 'eci', node: 'eci' }] });
    expect(view.workloads).toMatchObject({ group: 'apps.kruise.io', version: 'v1alpha1', plural: 'clonesets', kind: 'CloneSet' });
    const sets = [cloneSet('web-ecs-9xv2q', 2), cloneSet('web-eci-k8s7d', 3), cloneSet('other', 4)];
    expect(splitOf(view, sets)).toEqual({ source: 2, units: { 'web-eci-k8s7d': 3 } });
    const pods = [cloneSetPod('web-ecs-9xv2q'), cloneSetPod('web-eci-k8s7d'), cloneSetPod('other'), podOf('web-ecs-9xv2q')];
    expect(pods.map((p) => ownerOf(view, p))).toEqual(['source', 'web-eci-k8s7d', undefined, undefined]);
    expect(pods.map(belongsTo(view))).toEqual([true, true, false, false]);
    // A Deployment template's subsets stay Deployments (their pods reached through a ReplicaSet).
    const deployments = placementKind('UnitedDeployment').recorderView({ kind: 'UnitedDeployment', object: { ...object, spec: { template: { deploymentTemplate: { spec: {} } } } }, tiers: [{ deployment: 'web-ecs', unit: 'ecs', node: 'ecs' }] });
    expect(deployments.workloads).toBeUndefined();
    expect(ownerOf(deployments, cloneSetPod('web-ecs-9xv2q'))).toBeUndefined();
  });

  it('a WorkloadSpread on a CloneSet: the CloneSet\'s own pods, by the subset on each; the total is the CloneSet\'s replicas', () => {
    const object = { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'WorkloadSpread', metadata: { name: 'web' }, spec: { targetRef: { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'web' } } };
    const view = placementKind('WorkloadSpread').recorderView({ kind: 'WorkloadSpread', object, tiers: [{ deployment: 'web-ecs', unit: 'ecs', max: 2, node: 'ecs' }, { deployment: 'web-eci', unit: 'eci', node: 'eci' }] });
    expect(view.workloads?.kind).toBe('CloneSet');
    expect(view.pods?.deployment).toBe('web');
    const inSubset = (subset: string, nodeName?: string) => cloneSetPod('web', { metadata: { annotations: { 'apps.kruise.io/matched-workloadspread': JSON.stringify({ name: 'web', subset }) } }, spec: { containers: [], ...(nodeName ? { nodeName } : {}) } });
    const pods = [inSubset('ecs', 'ecs-0'), inSubset('ecs', 'ecs-1'), inSubset('eci', 'vk'), inSubset('eci'), cloneSetPod('other'), podOf('web')];
    expect(pods.map(belongsTo(view))).toEqual([true, true, true, true, false, false]);
    expect(splitOfPods(view, pods, 'vk')).toEqual({ source: 2, units: { 'web-eci': 2 } });
    expect(countPods(pods, 'vk', belongsTo(view), destinationOf(view, 'vk'))).toEqual({ ecs: { ready: 0, pending: 2, failed: 0 }, eci: { ready: 0, pending: 2, failed: 0 } });
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
