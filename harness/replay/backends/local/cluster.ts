import { clusterConfigSchema, clusterStatus, listClusterNames, listStateEntries, startCluster, stopCluster, validateClusterName } from '../../../../cluster/local/index.ts';
import { resolveBinary } from '../../../../cluster/toolchain/index.ts';
import { loadYamlConfig } from '../../../../core/config.ts';
import { clusterUpNumber, type ClusterIO, type ClusterLifecycle, type ClusterUpFlags } from '../../backend.ts';

/** `cluster up`: the config file and flags into a cluster config, the cluster started, how to use it. */
async function up(flags: ClusterUpFlags, io: ClusterIO): Promise<string> {
  let input: Record<string, unknown> = {};
  if (flags.config) input = loadYamlConfig(flags.config, clusterConfigSchema.partial()) as Record<string, unknown>;
  if (flags.name) input.name = flags.name;
  const k = clusterUpNumber(flags.compression, '--compression', 1);
  if (k !== undefined) input.compression = k;
  const port = clusterUpNumber(flags.port, '--port', 1);
  if (port !== undefined) input.apiserverPort = port;
  const n = clusterUpNumber(flags.ecsNodes, '--ecs-nodes', 0);
  if (n !== undefined) {
    const pools = (input.nodePools ?? {}) as { ecs?: Record<string, unknown>[] };
    pools.ecs = [{ ...(pools.ecs?.[0] ?? { name: 'ecs' }), count: n }];
    input.nodePools = pools;
  }
  validateClusterName(String(input.name ?? 'ebbflow'), '--name');
  // No owner: the cluster outlives this command, until `cluster down`.
  const c = await startCluster(input, { ownerPid: null, signal: io.signal, progress: io.progress, toolchainProgress: io.toolchainProgress });
  return [
    `cluster "${c.name}" is up: ${c.ecsNodes.length} ECS nodes${c.virtualNode ? ` + ${c.virtualNode}` : ''}, apiserver ${c.server}`,
    `timings (s): ${Object.entries(c.timings).map(([k2, v]) => `${k2} ${v}`).join(', ')}`,
    '',
    'use it:',
    `  export KUBECONFIG=${c.kubeconfig}`,
    `  ${resolveBinary('kubectl')} get nodes`,
    `stop it:  ebbflow cluster down --cluster-name ${c.name}`,
    '',
  ].join('\n');
}

/** `cluster down [--all]`: every process of the cluster stopped and its state removed, also after a crash. */
async function down(flags: { name: string; all?: boolean }, io: ClusterIO): Promise<string> {
  if (!flags.all) validateClusterName(flags.name, '--name');
  const names = flags.all ? listClusterNames() : [flags.name];
  if (flags.all) {
    for (const e of listStateEntries().filter((x) => !names.includes(x))) io.progress(`skipping "${e}" in the state directory: not a cluster name`);
  }
  let out = '';
  for (const n of names) {
    await stopCluster(n);
    out += `cluster "${n}" is down\n`;
  }
  return out;
}

async function status(flags: { name: string; json?: boolean }): Promise<{ text: string; healthy: boolean }> {
  validateClusterName(flags.name, '--name');
  const st = await clusterStatus(flags.name);
  const healthy = st.exists && st.components.every((c) => c.state === 'running');
  if (flags.json) return { text: JSON.stringify(st, null, 2) + '\n', healthy };
  if (!st.exists) return { text: `cluster "${flags.name}" does not exist\n`, healthy };
  const lines = st.components.map((c) => `  ${c.name.padEnd(24)} ${c.state.padEnd(8)} pid ${c.pid ?? '-'}${c.ports?.length ? `  ports ${c.ports.join(',')}` : ''}\n`);
  return { text: `cluster "${st.name}" (k=${st.compression ?? '?'})\nkubeconfig: ${st.kubeconfig}\n${lines.join('')}`, healthy };
}

export const localCluster: ClusterLifecycle = { up, down, status };
