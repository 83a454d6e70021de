import type { V1Node } from '@kubernetes/client-node';
import { virtualNodeName, type EcsPool, type EciNode, type NodePools } from './config.ts';

/** Labels and taints that make a node look like ACK's; KWOK then manages it like a kubelet would. */
export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';
export const POOL_LABEL = 'ebbflow.io/pool';
export const NODE_TYPE_LABEL = 'ebbflow.io/node-type';
export const VIRTUAL_KUBELET_TAINT = { key: 'virtual-kubelet.io/provider', value: 'alibabacloud', effect: 'NoSchedule' } as const;

export function ecsNodeName(pool: EcsPool, i: number): string {
  return `${pool.name}-${String(i).padStart(3, '0')}`;
}

export function ecsNodes(pool: EcsPool, region: string, zone: string): V1Node[] {
  return Array.from({ length: pool.count }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: ecsNodeName(pool, i),
      annotations: { [KWOK_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': ecsNodeName(pool, i),
        'node.kubernetes.io/instance-type': pool.instanceType,
        'topology.kubernetes.io/region': region,
        'topology.kubernetes.io/zone': `${region}-${zone}`,
        'node.kubernetes.io/instance-charge-type': 'PrePaid',
        [POOL_LABEL]: pool.name,
        [NODE_TYPE_LABEL]: 'ecs',
        type: 'kwok',
        ...pool.labels,
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: String(pool.cpu), memory: String(pool.memory), pods: String(pool.pods), 'ephemeral-storage': String(pool.ephemeralStorage) },
      capacity: { cpu: String(pool.cpu), memory: String(pool.memory), pods: String(pool.pods), 'ephemeral-storage': String(pool.ephemeralStorage) },
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        kubeletVersion: '',
        bootID: '',
        containerRuntimeVersion: '',
        kernelVersion: '',
        kubeProxyVersion: '',
        machineID: '',
        osImage: '',
        systemUUID: '',
      },
    },
  }));
}

/** Exactly what ACK's virtual-kubelet registers: name, `type=virtual-kubelet` label and the provider taint. */
export function eciNode(eci: EciNode): V1Node {
  const name = virtualNodeName(eci);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_ANNOTATION]: 'fake' },
      labels: {
        type: 'virtual-kubelet',
        'kubernetes.io/role': 'agent',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'alibabacloud.com/virtual-node': 'true',
        'topology.kubernetes.io/region': eci.region,
        'topology.kubernetes.io/zone': `${eci.region}-${eci.zone}`,
        [NODE_TYPE_LABEL]: 'eci',
      },
    },
    spec: { taints: [{ ...VIRTUAL_KUBELET_TAINT }] },
    status: {
      allocatable: { cpu: String(eci.cpu), memory: String(eci.memory), pods: String(eci.pods), 'ephemeral-storage': String(eci.ephemeralStorage) },
      capacity: { cpu: String(eci.cpu), memory: String(eci.memory), pods: String(eci.pods), 'ephemeral-storage': String(eci.ephemeralStorage) },
    },
  };
}

export function allNodes(p: NodePools): V1Node[] {
  const nodes = p.ecs.flatMap((pool) => ecsNodes(pool, p.eci.region, p.eci.zone));
  if (p.eci.enabled) nodes.push(eciNode(p.eci));
  return nodes;
}
