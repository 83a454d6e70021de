import { describeFindings, inspectCluster } from '../../../../cluster/existing/check.ts';
import { existingTarget } from '../../../../cluster/existing/options.ts';
import { UserError } from '../../../../core/errors.ts';
import type { ClusterIO, ClusterLifecycle, ClusterUpFlags } from '../../backend.ts';

/**
 * `cluster up --backend existing`: nothing is started; the cluster is inspected (reachable, version,
 * custom metrics adapter, CRDs, the namespace, every permission a replay needs) and what was found
 * is printed. A missing permission is exit 2 after the list.
 */
async function up(flags: ClusterUpFlags, io: ClusterIO): Promise<string> {
  for (const [flag, v] of [['--config', flags.config], ['--port', flags.port], ['--ecs-nodes', flags.ecsNodes], ['--compression', flags.compression], ['--host-address', flags.hostAddress]] as const) {
    if (v !== undefined) throw new UserError(`${flag} does not apply to cluster up --backend existing (it only inspects the cluster)`, 'drop it');
  }
  const t = existingTarget({ ...flags, namespace: flags.namespace ?? 'ebbflow-replay' });
  const f = await inspectCluster(t.kubeConfig, t.context, t.namespace);
  io.out(`${describeFindings(f).join('\n')}\n`);
  const missing = f.access.filter((a) => !a.allowed).length;
  if (missing) throw new UserError(`${missing} permission${missing === 1 ? '' : 's'} a replay needs ${missing === 1 ? 'is' : 'are'} missing (listed above)`, 'ask the cluster admin for a Role in the namespace and the cluster-scoped rights listed, or use a kubeconfig that has them');
  return `ready for: ebbflow replay SCENARIO --backend existing --kubeconfig ${t.kubeconfig}${flags.context ? ` --context ${flags.context}` : ''} --namespace ${t.namespace}\n`;
}

/** ebbflow never stops a cluster it did not create. */
async function down(): Promise<string> {
  throw new UserError('cluster down refuses --backend existing: ebbflow never stops a cluster it did not create', 'a replay removes its own namespace when it ends; to remove one left by a killed run: kubectl delete namespace <name> (only one labelled ebbflow.io/owner=ebbflow)');
}

export const existingCluster: ClusterLifecycle = { up, down };
