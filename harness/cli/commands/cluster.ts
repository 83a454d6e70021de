import type { Command } from 'commander';
import { backend, clusterName, type Backend } from '../options.ts';

/**
 * Library code takes an AbortSignal; this is where SIGINT/SIGTERM become an abort and an abort
 * becomes exit code 130. The listeners stay until the command is done (`on`, not `once`: execa's
 * exit hook re-raises a signal when no other listener is left).
 */
async function withSignals<T>(onSignal: () => void, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const handler = () => {
    if (!ac.signal.aborted) onSignal();
    ac.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return await body(ac.signal);
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}

interface UpOptions {
  name?: string;
  backend?: Backend;
  config?: string;
  compression?: string;
  port?: string;
  ecsNodes?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  hostAddress?: string;
}

function intOption(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min) throw new Error(`${flag} must be a number ≥ ${min}, got "${v}"`);
  return n;
}

/** `cluster up --backend kind`: one kind node from the offline node image, HPA flags compressed by k. */
async function kindUpAction(opts: UpOptions): Promise<void> {
  const { UserError } = await import('../../../core/errors.ts');
  for (const [flag, v] of [['--config', opts.config], ['--port', opts.port], ['--ecs-nodes', opts.ecsNodes]] as const) {
    if (v !== undefined) throw new UserError(`${flag} applies to the local backend only`, 'drop it, or use --backend local');
  }
  let k: number | undefined;
  try {
    k = intOption(opts.compression, '--compression', 1);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  const { startKindCluster } = await import('../../../cluster/kind/cluster.ts');
  const { createToolchainProgress } = await import('../toolchain-progress.ts');
  const tp = createToolchainProgress();
  const t0 = performance.now();
  const { nodePoolsSchema } = await import('../../../cluster/nodes/config.ts');
  // The default ECI node (as the local backend registers): a real virtual-kubelet left running for the cluster's life.
  const c = await startKindCluster({ name: opts.name, compression: k, eci: nodePoolsSchema.parse({}).eci, detachEci: true }, { progress: (m) => process.stderr.write(`${m}\n`), toolchainProgress: tp }).finally(() => tp.stop());
  process.stdout.write(
    [
      `kind cluster "${c.name}" is up (node ${c.nodeContainer}${c.virtualNode ? ` + ECI node ${c.virtualNode} (vk-eci)` : ''}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      'use it:',
      `  export KUBECONFIG=${c.kubeconfig}`,
      `stop it:  ebbflow cluster down --backend kind --name ${c.name}`,
      '',
    ].join('\n'),
  );
}

/**
 * `cluster up --backend existing`: nothing is started; the cluster is inspected (reachable, version,
 * custom metrics adapter, CRDs, the namespace, every permission a replay needs) and what was found
 * is printed. A missing permission is exit 2 after the list.
 */
async function existingUpAction(opts: UpOptions): Promise<void> {
  const { UserError } = await import('../../../core/errors.ts');
  for (const [flag, v] of [['--config', opts.config], ['--port', opts.port], ['--ecs-nodes', opts.ecsNodes], ['--compression', opts.compression], ['--host-address', opts.hostAddress]] as const) {
    if (v !== undefined) throw new UserError(`${flag} does not apply to cluster up --backend existing (it only inspects the cluster)`, 'drop it');
  }
  const { existingTarget } = await import('../../../cluster/existing/options.ts');
  const { inspectCluster, describeFindings } = await import('../../../cluster/existing/check.ts');
  const t = existingTarget({ ...opts, namespace: opts.namespace ?? 'ebbflow-replay' });
  const f = await inspectCluster(t.kubeConfig, t.context, t.namespace);
  process.stdout.write(`${describeFindings(f).join('\n')}\n`);
  const missing = f.access.filter((a) => !a.allowed).length;
  if (missing) throw new UserError(`${missing} permission${missing === 1 ? '' : 's'} a replay needs ${missing === 1 ? 'is' : 'are'} missing (listed above)`, 'ask the cluster admin for a Role in the namespace and the cluster-scoped rights listed, or use a kubeconfig that has them');
  process.stdout.write(`ready for: ebbflow replay SCENARIO --backend existing --kubeconfig ${t.kubeconfig}${opts.context ? ` --context ${opts.context}` : ''} --namespace ${t.namespace}\n`);
}

/** Builds the cluster config from --config and flags, starts it, prints how to use it. */
async function upAction(opts: UpOptions): Promise<void> {
  if (opts.backend === 'existing') return existingUpAction(opts);
  const { refuseExistingFlags } = await import('../../../cluster/existing/options.ts');
  refuseExistingFlags(opts.backend ?? 'local', opts);
  if (opts.backend === 'kind') return kindUpAction(opts);
  const { UserError } = await import('../../../core/errors.ts');
  const { loadYamlConfig } = await import('../../../core/config.ts');
  const { clusterConfigSchema, startCluster, validateClusterName } = await import('../../../cluster/local/index.ts');
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
  validateClusterName(String(input.name ?? 'ebbflow'), '--name');
  const { Interrupted } = await import('../../../core/component.ts');
  const tp = createToolchainProgress();
  let c;
  try {
    c = await withSignals(
      () => process.stderr.write('\ninterrupted: stopping what was started\n'),
      (signal) => startCluster(input, { ownerPid: null, signal, progress: (m) => process.stderr.write(`${m}\n`), toolchainProgress: tp }),
    );
  } catch (e) {
    if (!(e instanceof Interrupted)) throw e;
    tp.stop();
    process.stderr.write(`interrupted: ${e.message}; nothing left running\n`);
    process.exitCode = 130;
    return;
  }
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
}

/** `cluster down`: finds the name on the backend holding it and says what it stopped. */
async function downAction(opts: { name: string; all?: boolean; backend?: Backend }): Promise<void> {
  const { UserError } = await import('../../../core/errors.ts');
  if (opts.backend === 'existing') {
    throw new UserError('cluster down refuses --backend existing: ebbflow never stops a cluster it did not create', 'a replay removes its own namespace when it ends; to remove one left by a killed run: kubectl delete namespace <name> (only one labelled ebbflow.io/owner=ebbflow)');
  }
  const local = await import('../../../cluster/local/index.ts');
  const { chooseDownBackend, kindClusterNames } = await import('../../../cluster/kind/locate.ts');
  const said = (n: string, r: { stopped: string[] }) => `cluster "${n}" is down${r.stopped.length ? `; stopped ${r.stopped.join(', ')}` : ' (nothing was running; its state is removed)'}\n`;
  if (opts.all) {
    if (opts.backend === 'kind') throw new UserError('--all stops local clusters only', 'stop a kind cluster by name: ebbflow cluster down --backend kind --name N');
    const kinds = await kindClusterNames();
    const names = local.listLocalClusters();
    for (const e of local.listStateEntries().filter((x) => !names.includes(x))) process.stderr.write(`skipping "${e}" in the state directory: not a cluster name\n`);
    for (const n of names) {
      if (kinds.has(n) && local.localClusterState(n) !== 'cluster') {
        process.stderr.write(`skipping "${n}": it is the kind cluster ebbflow-${n} (stop it with \`ebbflow cluster down --backend kind --name ${n}\`)\n`);
        continue;
      }
      process.stdout.write(said(n, await local.stopCluster(n)));
    }
    if (names.length === 0) process.stdout.write('no local clusters\n');
    return;
  }
  local.validateClusterName(opts.name, '--name');
  const where = chooseDownBackend(opts.name, opts.backend, { local: local.localClusterState(opts.name), kind: (await kindClusterNames()).has(opts.name) });
  if (where === 'kind') {
    const { stopKindCluster } = await import('../../../cluster/kind/cluster.ts');
    await stopKindCluster(opts.name);
    process.stdout.write(`kind cluster "${opts.name}" is down\n`);
    return;
  }
  process.stdout.write(said(opts.name, await local.stopCluster(opts.name)));
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
    .option('--backend <backend>', 'local (processes, default), kind (Docker; offline node image built once) or existing (only inspects a cluster ebbflow did not create)', backend, 'local')
    .option('--kubeconfig <file>', 'existing backend: the kubeconfig of the cluster to inspect')
    .option('--context <name>', 'existing backend: the kubeconfig context (default: its current-context)')
    .option('--namespace <name>', 'existing backend: the namespace a replay would own (default ebbflow-replay)')
    .action(upAction);

  cl.command('down')
    .description('Stop every process of a cluster and remove its state (also after a crash); without --backend, wherever the name is')
    .option('--name <name>', 'cluster name', clusterName, 'ebbflow')
    .option('--all', 'every local cluster')
    .option('--backend <backend>', 'local or kind (default: the backend that holds the name)', backend)
    .action(downAction);

  cl.command('status')
    .description('Show the kubeconfig path and the state of each component')
    .option('--name <name>', 'cluster name', clusterName, 'ebbflow')
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; json?: boolean }) => {
      const { clusterStatus, validateClusterName } = await import('../../../cluster/local/index.ts');
      validateClusterName(opts.name, '--name');
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
      await withSignals(() => {}, (signal) => runClusterAgent(opts.name, { signal }));
      // The agent process is this command's own: informers may hold sockets open, so end it here.
      process.exit(0);
    });
}
