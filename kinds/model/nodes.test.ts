import { describe, expect, it } from 'vitest';
import { nodePoolsSchema } from '../../cluster/nodes/config.ts';
import { allNodes, NODE_TYPE_LABEL } from '../../cluster/nodes/objects.ts';
import type { NodeType } from '../../core/timeline/format.ts';
import { fits, nodeTypeOf, type Placement } from './nodes.ts';

const nodes = allNodes(nodePoolsSchema.parse({ ecs: [{ name: 'ecs', count: 2, labels: { 'alibabacloud.com/nodepool-id': 'np-ecs', cores: '4' } }] }));
const [ecs, , virtual] = nodes;
const typeOf = (n: (typeof nodes)[number]) => n.metadata?.labels?.[NODE_TYPE_LABEL] as NodeType | undefined;
const eciToleration = { key: 'virtual-kubelet.io/provider', operator: 'Exists', effect: 'NoSchedule' };

describe('where a subset\'s pods fit', () => {
  it('the virtual node\'s taint keeps pods off unless tolerated; a selector of its label alone is not enough', () => {
    const onVirtual: Placement = { term: { matchExpressions: [{ key: 'type', operator: 'In', values: ['virtual-kubelet'] }] } };
    expect(fits(onVirtual, virtual!)).toBe(false);
    expect(fits({ ...onVirtual, tolerations: [eciToleration] }, virtual!)).toBe(true);
    expect(fits({ ...onVirtual, tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Equal', value: 'other' }] }, virtual!)).toBe(false);
    expect(fits({ ...onVirtual, tolerations: [{ operator: 'Exists' }] }, virtual!)).toBe(true);
    expect(nodeTypeOf({ ...onVirtual, tolerations: [eciToleration] }, nodes, typeOf)).toBe('eci');
  });

  it('every operator of a NodeSelectorRequirement, and the nodeSelector, over the ECS pool\'s labels', () => {
    const term = (key: string, operator: string, values?: string[]): Placement => ({ term: { matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] } });
    expect(fits(term('alibabacloud.com/nodepool-id', 'In', ['np-ecs']), ecs!)).toBe(true);
    expect(fits(term('alibabacloud.com/nodepool-id', 'NotIn', ['np-ecs']), ecs!)).toBe(false);
    expect(fits(term('type', 'NotIn', ['virtual-kubelet']), ecs!)).toBe(true);
    expect(fits(term('gpu', 'DoesNotExist'), ecs!)).toBe(true);
    expect(fits(term('gpu', 'Exists'), ecs!)).toBe(false);
    expect(fits(term('cores', 'Gt', ['2']), ecs!)).toBe(true);
    expect(fits(term('cores', 'Lt', ['2']), ecs!)).toBe(false);
    expect(fits({ nodeSelector: { 'alibabacloud.com/nodepool-id': 'other' } }, ecs!)).toBe(false);
    expect(fits({ term: { matchFields: [{ key: 'metadata.name', operator: 'In', values: [ecs!.metadata!.name!] }] } }, ecs!)).toBe(true);
    expect(() => fits(term('a', 'Like', ['b']), ecs!)).toThrow(/unknown operator "Like"/);
  });

  it('a subset fitting both kinds of node, or none, has no node type: the nodes that fit say why', () => {
    expect(nodeTypeOf({ tolerations: [eciToleration] }, nodes, typeOf)).toEqual({ fitting: nodes.map((n) => n.metadata!.name) });
    expect(nodeTypeOf({ nodeSelector: { nowhere: 'x' } }, nodes, typeOf)).toEqual({ fitting: [] });
    expect(nodeTypeOf({}, nodes, typeOf)).toBe('ecs');
  });
});
