import { startKindCluster, stopKindCluster } from '../../../../cluster/kind/cluster.ts';
import { nodePoolsSchema } from '../../../../cluster/nodes/config.ts';
import { UserError } from '../../../../core/errors.ts';
import { clusterUpNumber, type ClusterIO, type ClusterLifecycle, type ClusterUpFlags } from '../../backend.ts';

/** `cluster up --backend kind`: one kind node from the offline node image, HPA flags compressed by k. */
async function up(flags: ClusterUpFlags, io: ClusterIO): Promise<string> {
  for (const [flag, v] of [['--config', flags.config], ['--port', flags.port], ['--ecs-nodes', flags.ecsNodes]] as const) {
    if (v !== undefined) throw new UserError(`${flag} applies to the local backend only`, 'drop it, or use --backend local');
  }
  const k = clusterUpNumber(flags.compression, '--compression', 1);
  const t0 = performance.now();
  // The default ECI node (as the local backend registers): a real virtual-kubelet left running for the cluster's life.
  const c = await startKindCluster({ name: flags.name, compression: k, eci: nodePoolsSchema.parse({}).eci, detachEci: true }, { progress: io.progress, toolchainProgress: io.toolchainProgress });
  return [
    `kind cluster "${c.name}" is up (node ${c.nodeContainer}${c.virtualNode ? ` + ECI node ${c.virtualNode} (vk-eci)` : ''}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    'use it:',
    `  export KUBECONFIG=${c.kubeconfig}`,
    `stop it:  ebbflow cluster down --backend kind --cluster-name ${c.name}`,
    '',
  ].join('\n');
}

async function down(flags: { name: string }): Promise<string> {
  await stopKindCluster(flags.name);
  return `kind cluster "${flags.name}" is down\n`;
}

export const kindCluster: ClusterLifecycle = { up, down };
