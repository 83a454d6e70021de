import { UserError } from '../../core/errors.ts';
import type { SweepRow } from '../../simulator/sweep.ts';
import type { DecodedShardInput } from '../../simulator/whatif-shard.ts';
import { runOnCluster } from './run.ts';

/** The `whatif` flags that concern a sweep on a cluster, as the command line gives them. */
export interface OnClusterFlags {
  onCluster?: boolean;
  kubeconfig?: string;
  namespace?: string;
  image?: string;
  loadIntoKind?: string;
  shards?: number;
  /** The local sweep's threads: refused with --on-cluster. */
  workers?: number;
}

/** The --on-cluster options make sense only together; says which is missing or out of place before anything runs. */
export function checkOnClusterFlags(opts: OnClusterFlags): void {
  const clusterOnly = (['kubeconfig', 'namespace', 'image', 'loadIntoKind', 'shards'] as const).filter((k) => opts[k] !== undefined);
  const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (!opts.onCluster && clusterOnly.length) throw new UserError(`${clusterOnly.map(flag).join(', ')}: only with --on-cluster`, 'add --on-cluster --kubeconfig <file> to run the sweep as a Kubernetes Job, or drop them');
  if (!opts.onCluster) return;
  if (!opts.kubeconfig) throw new UserError('--on-cluster needs --kubeconfig <file>', 'the kubeconfig of the cluster to run the sweep on (e.g. the one `ebbflow cluster up --backend kind` prints)');
  if (opts.workers !== undefined) throw new UserError('--workers is for the local sweep; with --on-cluster use --shards', 'e.g. --shards 4');
  if (opts.image !== undefined && !/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(opts.image)) throw new UserError(`--image ${opts.image}: not an image reference`, 'e.g. registry.example.com/ebbflow/ebbflow:0.1.0-abcdef123456');
  if (opts.loadIntoKind !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(opts.loadIntoKind)) throw new UserError(`--load-into-kind ${opts.loadIntoKind}: not a kind cluster name`, 'the name as `kind get clusters` lists it');
}

/** The sweep the command line asked for, as an Indexed Job on the cluster of `--kubeconfig`; an abort deletes what it created. */
export async function sweepOnCluster(
  flags: OnClusterFlags,
  s: DecodedShardInput & { signal: AbortSignal; progress: (done: number, total: number) => void; log: (line: string) => void },
): Promise<SweepRow[]> {
  const r = await runOnCluster({
    kubeconfig: flags.kubeconfig!, scenario: s.scenario, manifests: s.manifests, vary: s.vary, configs: s.configs, ...(s.days !== undefined ? { days: s.days } : {}), signal: s.signal, progress: s.progress, log: s.log,
    ...(s.growth !== undefined ? { growth: s.growth } : {}), ...(flags.namespace ? { namespace: flags.namespace } : {}), ...(flags.image ? { image: flags.image } : {}),
    ...(flags.loadIntoKind ? { loadIntoKind: flags.loadIntoKind } : {}), ...(flags.shards ? { shards: flags.shards } : {}),
  });
  return r.rows;
}
