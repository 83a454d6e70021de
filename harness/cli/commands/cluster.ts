import type { Command } from 'commander';
import { clusterName } from '../options.ts';

interface UpOptions {
  name?: string;
  config?: string;
  compression?: string;
  port?: string;
  ecsNodes?: string;
}

function intOption(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min) throw new Error(`${flag} must be a number ≥ ${min}, got "${v}"`);
  return n;
}

export function register(program: Command): void {
  const cl = program.command('cluster').description('Run a local Kubernetes control plane (etcd, kube-apiserver, kcm with the real HPA, scheduler, KWOK) with ECS nodes and the ECI virtual node');

  cl.command('up')
    .description('Start a local cluster and print how to use its kubeconfig')
    .option('--name <name>', 'cluster name', clusterName, 'ebbflow')
    .option('--config <file>', 'cluster config YAML (compression, hpa, nodePools: ecs pools and the eci node)')
    .option('--compression <k>', 'time compression factor: HPA periods and pod start delays are divided by k')
    .option('--port <port>', 'fixed kube-apiserver port (default: a free one)')
    .option('--ecs-nodes <n>', 'number of ECS nodes in the default pool')
    .action(async (opts: UpOptions) => {
      const { UserError } = await import('../../common/errors.ts');
      const { loadYamlConfig } = await import('../../common/config.ts');
      const { clusterConfigSchema, startCluster } = await import('../../../cluster/local/index.ts');
      const { createToolchainProgress } = await import('../toolchain-progress.ts');
      let input: Record<string, unknown> = {};
      if (opts.config) input = loadYamlConfig(opts.config, clusterConfigSchema.partial()) as Record<string, unknown>;
      try {
        if (opts.name) input.name = opts.name;
        const k = intOption(opts.compression, '--compression', 1);
        if (k !== undefined) input.compression = k;
        const port = intOption(opts.port, '--port', 1);
        if (port !== undefined) input.apiserverPort = port;
        const n = intOption(opts.ecsNodes, '--ecs-nodes', 0);
        if (n !== undefined) {
          const pools = (input.nodePools ?? {}) as { ecs?: Record<string, unknown>[] };
          pools.ecs = [{ ...(pools.ecs?.[0] ?? { name: 'ecs' }), count: n }];
          input.nodePools = pools;
        }
      } catch (e) {
        throw new UserError((e as Error).message);
      }
      const tp = createToolchainProgress();
      const c = await startCluster(input, {
        ownerPid: null,
        progress: (m) => process.stderr.write(`${m}\n`),
        toolchainProgress: tp,
      });
      tp.stop();
      const { resolveBinary } = await import('../../../cluster/toolchain/index.ts');
      process.stdout.write(
        [
          `cluster "${c.name}" is up: ${c.ecsNodes.length} ECS nodes${c.virtualNode ? ` + ${c.virtualNode}` : ''}, apiserver ${c.server}`,
          `timings (s): ${Object.entries(c.timings).map(([k2, v]) => `${k2} ${v}`).join(', ')}`,
          '',
          'use it:',
          `  export KUBECONFIG=${c.kubeconfig}`,
          `  ${resolveBinary('kubectl')} get nodes`,
          `stop it:  ebbflow cluster down --name ${c.name}`,
          '',
        ].join('\n'),
      );
    });

  cl.command('down')
    .description('Stop every process of a local cluster and remove its state (also after a crash)')
    .option('--name <name>', 'cluster name', clusterName, 'ebbflow')
    .option('--all', 'every local cluster')
    .action(async (opts: { name: string; all?: boolean }) => {
      const { stopCluster, listClusterNames } = await import('../../../cluster/local/index.ts');
      const names = opts.all ? listClusterNames() : [opts.name];
      for (const n of names) {
        await stopCluster(n);
        process.stdout.write(`cluster "${n}" is down\n`);
      }
    });

  cl.command('status')
    .description('Show the kubeconfig path and the state of each component')
    .option('--name <name>', 'cluster name', clusterName, 'ebbflow')
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; json?: boolean }) => {
      const { clusterStatus } = await import('../../../cluster/local/index.ts');
      const st = await clusterStatus(opts.name);
      if (opts.json) {
        process.stdout.write(JSON.stringify(st, null, 2) + '\n');
      } else if (!st.exists) {
        process.stdout.write(`cluster "${opts.name}" does not exist\n`);
      } else {
        process.stdout.write(`cluster "${st.name}" (k=${st.compression ?? '?'})\nkubeconfig: ${st.kubeconfig}\n`);
        for (const c of st.components) {
          process.stdout.write(`  ${c.name.padEnd(24)} ${c.state.padEnd(8)} pid ${c.pid ?? '-'}${c.ports?.length ? `  ports ${c.ports.join(',')}` : ''}\n`);
        }
      }
      if (!st.exists || st.components.some((c) => c.state !== 'running')) process.exitCode = 1;
    });

  cl.command('agent', { hidden: true })
    .description('(internal) per-cluster agent: ECI provider and owner watchdog')
    .requiredOption('--name <name>', 'cluster name', clusterName)
    .action(async (opts: { name: string }) => {
      const { runClusterAgent } = await import('../../../cluster/local/agent.ts');
      await runClusterAgent(opts.name);
    });
}
