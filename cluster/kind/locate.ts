import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../core/errors.ts';
import { isClusterName, stateDir } from '../local/state.ts';
import { locateBinary } from '../toolchain/index.ts';

/** kind prefixes its own contexts and containers; ours carry `ebbflow-` so they are recognisable. */
export const kindClusterName = (name: string): string => `ebbflow-${name}`;

export const kindDir = (name: string, env: NodeJS.ProcessEnv = process.env): string => join(stateDir(env), 'kind', name);

/**
 * ebbflow's kind clusters on this machine, by name without the `ebbflow-` prefix: each has a state
 * directory while it exists; `kind get clusters` adds one whose directory was removed by hand.
 * Without kind built or Docker running, the directories alone answer (nothing is installed).
 */
export async function kindClusterNames(env: NodeJS.ProcessEnv = process.env): Promise<Set<string>> {
  const names = new Set<string>();
  const dir = join(stateDir(env), 'kind');
  if (existsSync(dir)) for (const n of readdirSync(dir)) if (isClusterName(n)) names.add(n);
  let kind: string | undefined;
  try {
    kind = locateBinary('kind', env)?.path;
  } catch {
    kind = undefined;
  }
  if (kind) {
    const r = await execa(kind, ['get', 'clusters'], { reject: false, timeout: 15_000, env });
    for (const line of r.exitCode === 0 ? String(r.stdout).split('\n') : []) {
      const n = line.trim().startsWith('ebbflow-') ? line.trim().slice('ebbflow-'.length) : '';
      if (isClusterName(n)) names.add(n);
    }
  }
  return names;
}

export type DownBackend = 'local' | 'kind';

export interface Whereabouts {
  /** What of a local cluster of that name is here (`localClusterState`). */
  local: 'cluster' | 'records' | 'none';
  kind: boolean;
}

const downCommand = (name: string, b: DownBackend) => `ebbflow cluster down --backend ${b} --cluster-name ${name}`;

/**
 * Which backend `cluster down --cluster-name N [--backend B]` stops, or a UserError saying where N is (and
 * the command that stops it) or that it is nowhere. Without `--backend`, the one backend holding N;
 * records without a cluster belong to a kind cluster of that name when there is one (its vk-eci),
 * else they are a local cluster's remains and are cleaned up as one.
 */
export function chooseDownBackend(name: string, requested: DownBackend | undefined, w: Whereabouts): DownBackend {
  const local = w.local === 'cluster' || (w.local === 'records' && !w.kind);
  if (requested === 'local' && local) return 'local';
  if (requested === 'kind' && w.kind) return 'kind';
  if (requested) {
    const other: DownBackend = requested === 'local' ? 'kind' : 'local';
    if (other === 'kind' ? w.kind : local) {
      throw new UserError(`cluster "${name}" is not a ${requested} cluster: it is a ${other} cluster`, `stop it with \`${downCommand(name, other)}\``);
    }
    throw new UserError(`no ${requested} cluster "${name}"`, `nothing was stopped; \`ebbflow cluster status --cluster-name ${name}\` shows a local cluster, \`kind get clusters\` kind ones (ours are named ebbflow-<name>)`);
  }
  if (w.local === 'cluster' && w.kind) {
    throw new UserError(`cluster "${name}" exists on two backends: a local cluster and the kind cluster ${kindClusterName(name)}`, `say which: \`${downCommand(name, 'local')}\` or \`${downCommand(name, 'kind')}\``);
  }
  if (local) return 'local';
  if (w.kind) return 'kind';
  throw new UserError(`no cluster "${name}": no local cluster and no kind cluster ${kindClusterName(name)}`, 'nothing was stopped; `ebbflow cluster down --all` stops every local cluster');
}

/**
 * Which recorded host processes of the name `stopKindCluster` stops. With no local cluster of that
 * name every record there is the kind cluster's: vk-eci, and what a replay that never reached its
 * teardown (killed, crashed) left beside it — its ResourcePolicy scheduler, Prometheus, the adapter,
 * OpenKruise's manager — all pointed at this cluster and useless without it. Beside a local
 * cluster of that name, only vk-eci: the rest may be that cluster's.
 */
export function kindOwnedLabels(labels: string[], localCluster: boolean, vkLabel: string): string[] {
  return localCluster ? labels.filter((l) => l === vkLabel) : labels;
}
