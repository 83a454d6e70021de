import type { Command } from 'commander';
import type { ClusterIO, ClusterLifecycle, ClusterUpFlags } from '../../replay/backend.ts';
import { DEFAULT_BACKEND, type BackendName } from '../../replay/backends/index.ts';
import { EXIT, interruptible, setOutcome } from '../boundary.ts';
import { backend, clusterName, kubeconfigOf, outputOption, renamedOption } from '../options.ts';
import { helpFooter } from '../help.ts';

/**
 * A cluster command on the chosen backend (`harness/replay/backends`): the flags of other backends
 * refused, toolchain progress shown, Ctrl-C stops what was started (exit 130); prints the result.
 */
async function onBackend(name: BackendName, flags: ClusterUpFlags, command: (c: ClusterLifecycle, io: ClusterIO) => Promise<string>, o: { toolchain?: boolean } = {}): Promise<void> {
  const { backendNamed, refuseForeignFlags } = await import('../../replay/backends/index.ts');
  const { createToolchainProgress } = await import('../toolchain-progress.ts');
  refuseForeignFlags(name, flags);
  const { cluster } = await backendNamed(name);
  // A first `cluster up` may build the toolchain: its progress, stopped before the result is printed.
  const toolchainProgress = o.toolchain ? createToolchainProgress() : undefined;
  let text: string;
  try {
    text = await interruptible(
      (signal) => command(cluster, { out: (t) => process.stdout.write(t), progress: (l) => process.stderr.write(`${l}\n`), ...(toolchainProgress ? { toolchainProgress } : {}), signal }),
      { onSignal: 'stopping what was started', afterInterrupt: 'nothing left running' },
    );
  } finally {
    toolchainProgress?.stop();
  }
  process.stdout.write(text);
}

async function status(opts: { clusterName: string; output: 'text' | 'json' }): Promise<void> {
  const { backendNamed } = await import('../../replay/backends/index.ts');
  const st = await (await backendNamed(DEFAULT_BACKEND)).cluster.status!({ name: opts.clusterName, ...(opts.output === 'json' ? { json: true } : {}) });
  process.stdout.write(st.text);
  if (!st.healthy) setOutcome(EXIT.failed);
}

/** The cluster's agent: a process of its own, ended here (its informers may hold sockets open). */
async function agent(opts: { name: string }): Promise<void> {
  const { runClusterAgent } = await import('../../../cluster/local/agent.ts');
  await interruptible((signal) => runClusterAgent(opts.name, { signal }));
  process.exit(EXIT.ok);
}

export function register(program: Command): void {
  const cl = program.command('cluster').description('Run a local Kubernetes control plane (etcd, kube-apiserver, kcm with the real HPA, scheduler, KWOK) with ECS nodes and the ECI virtual node')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow cluster up --cluster-name dev', 'npx ebbflow cluster status --cluster-name dev', 'npx ebbflow cluster down --cluster-name dev'] }));

  renamedOption(cl.command('up')
    .description('Start a local cluster and print how to use its kubeconfig')
    .option('--cluster-name <name>', 'cluster name (replay takes the same flag)', clusterName, 'ebbflow'), '--name <name>', '--cluster-name', clusterName)
    .option('--config <file>', 'cluster config YAML (compression, hpa, nodePools: ecs pools and the eci node)')
    .option('--compression <k>', 'time compression factor: HPA periods and pod start delays are divided by k')
    .option('--port <port>', 'fixed kube-apiserver port (default: a free one)')
    .option('--ecs-nodes <n>', 'number of ECS nodes in the default pool')
    .option('--backend <backend>', 'local (processes, default), kind (Docker; offline node image built once) or existing (only inspects a cluster ebbflow did not create)', backend, DEFAULT_BACKEND)
    .option('--kubeconfig <file>', 'existing backend: the kubeconfig of the cluster to inspect (default: $KUBECONFIG)')
    .option('--context <name>', 'existing backend: the kubeconfig context (default: its current-context)')
    .option('--namespace <name>', 'existing backend: the namespace a replay would own (default ebbflow-replay)')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow cluster up --cluster-name dev --ecs-nodes 3', 'npx ebbflow cluster up --backend kind --cluster-name dev', 'npx ebbflow cluster up --backend existing --kubeconfig ~/.kube/config --namespace ebbflow-replay'] }))
    .action((o: Omit<ClusterUpFlags, 'name'> & { clusterName: string; backend: BackendName }) => {
      const { clusterName: name, ...rest } = o;
      const flags: ClusterUpFlags = { ...rest, name, ...(o.backend === 'existing' ? { kubeconfig: kubeconfigOf(o.kubeconfig, process.env, '--backend existing') } : {}) };
      return onBackend(o.backend, flags, (c, io) => c.up(flags, io), { toolchain: true });
    });

  renamedOption(cl.command('down')
    .description('Stop every process of a cluster and remove its state (also after a crash); without --backend, wherever the name is')
    .option('--cluster-name <name>', 'cluster name', clusterName, 'ebbflow'), '--name <name>', '--cluster-name', clusterName)
    .option('--all', 'every local cluster')
    .option('--backend <backend>', 'local or kind (default: the backend that holds the name)', backend)
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow cluster down --cluster-name dev', 'npx ebbflow cluster down --all'] }))
    .action(async (opts: { clusterName: string; all?: boolean; backend?: BackendName }) => {
      const { clusterDown } = await import('../../replay/backends/down.ts');
      process.stdout.write(await clusterDown({ name: opts.clusterName, ...(opts.all ? { all: true } : {}), ...(opts.backend ? { backend: opts.backend } : {}) }, (m) => process.stderr.write(`${m}\n`)));
    });

  outputOption(renamedOption(cl.command('status')
    .description('Show the kubeconfig path and the state of each component')
    .option('--cluster-name <name>', 'cluster name', clusterName, 'ebbflow'), '--name <name>', '--cluster-name', clusterName), 'json: the kubeconfig and each component\'s state', true)
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow cluster status --cluster-name dev', 'npx ebbflow cluster status --cluster-name dev -o json'], failed: 'a component is not healthy', interrupted: false }))
    .action(status);

  cl.command('agent', { hidden: true })
    .description('(internal) per-cluster agent: ECI provider and owner watchdog')
    .requiredOption('--name <name>', 'cluster name', clusterName)
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow cluster agent --name dev'] }))
    .action(agent);
}
