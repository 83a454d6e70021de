import { describe, expect, it } from 'vitest';
import { costPatches } from './costs.ts';
import { schedulerConfiguration, PLUGIN, PLUGIN_WEIGHT, REPLACED_PLUGIN, TAINT_FILTER } from './scheduler.ts';
import { DELETION_COST, unitOfNode, type ResourcePolicySpec } from './spec.ts';

const spec: ResourcePolicySpec = {
  selector: { app: 'web' },
  units: [{ resource: 'ecs', nodeSelector: { pool: 'ecs' }, max: 2 }, { resource: 'eci' }],
};
const NODES: Record<string, Record<string, string>> = {
  'ecs-000': { pool: 'ecs' },
  'gpu-000': { pool: 'gpu' },
  vk: { type: 'virtual-kubelet' },
};
const pod = (name: string, nodeName?: string, extra: Partial<{ labels: Record<string, string>; annotations: Record<string, string>; terminating: boolean }> = {}) =>
  ({ name, labels: { app: 'web' }, terminating: false, ...(nodeName ? { nodeName } : {}), ...extra });

describe('the ResourcePolicy\'s scale-in side', () => {
  it('puts each node in the first unit whose kind and nodeSelector it matches, else outside every unit', () => {
    expect(['ecs-000', 'vk', 'gpu-000'].map((n) => unitOfNode(spec, NODES[n]))).toEqual([0, 1, 2]);
  });

  it('costs later units less, so the ReplicaSet controller removes their pods first; outside every unit least', () => {
    const patches = costPatches(spec, [pod('a', 'ecs-000'), pod('b', 'vk'), pod('c', 'gpu-000')], (n) => NODES[n]);
    expect(patches).toEqual([['a', '200'], ['b', '100'], ['c', '0']]);
  });

  it('writes only what differs, and leaves unbound, terminating and unselected pods alone (idempotent)', () => {
    const pods = [
      pod('done', 'ecs-000', { annotations: { [DELETION_COST]: '200' } }),
      pod('stale', 'vk', { annotations: { [DELETION_COST]: '200' } }),
      pod('pending'),
      pod('going', 'vk', { terminating: true }),
      pod('other', 'vk', { labels: { app: 'api' } }),
    ];
    expect(costPatches(spec, pods, (n) => NODES[n])).toEqual([['stale', '100']]);
  });

  it('configures the scheduler\'s default profile with the plugin at a weight that dominates the default scores', () => {
    const cfg = schedulerConfiguration('/k/kubeconfig') as { profiles: { schedulerName: string; plugins: { multiPoint: { enabled: { name: string; weight: number }[]; disabled: { name: string }[] }; filter: { disabled: { name: string }[] } } }[]; clientConnection: { kubeconfig: string }; leaderElection: { leaderElect: boolean } };
    expect(cfg.profiles[0]!.schedulerName).toBe('default-scheduler');
    expect(cfg.profiles[0]!.plugins.multiPoint.enabled).toEqual([{ name: PLUGIN, weight: PLUGIN_WEIGHT }]);
    // Our PostFilter preempts unit by unit; upstream's after it would choose victims in any unit.
    expect(cfg.profiles[0]!.plugins.multiPoint.disabled).toEqual([{ name: REPLACED_PLUGIN }]);
    expect(REPLACED_PLUGIN).toBe('DefaultPreemption');
    // Our plugin filters taints in its place (an eci unit tolerates the virtual node); its scoring stays.
    expect(cfg.profiles[0]!.plugins.filter.disabled).toEqual([{ name: TAINT_FILTER }]);
    // One unit step (100/(units+1), ≥ 16 for up to 5 units) × weight above the ~1,200 the default plugins can sum to.
    expect(Math.floor(100 / 6) * PLUGIN_WEIGHT).toBeGreaterThan(1200);
    expect(cfg.clientConnection.kubeconfig).toBe('/k/kubeconfig');
    expect(cfg.leaderElection.leaderElect).toBe(false);
  });
});
