import { UserError } from '../../../core/errors.ts';
import { chooseDownBackend, kindClusterNames } from '../../../cluster/kind/locate.ts';
import * as local from '../../../cluster/local/index.ts';
import { backendNamed, type BackendName } from './index.ts';

const said = (n: string, r: { stopped: string[] }) => `cluster "${n}" is down${r.stopped.length ? `; stopped ${r.stopped.join(', ')}` : ' (nothing was running; its state is removed)'}\n`;

/**
 * `cluster down`: finds the name on the backend holding it (without `--backend`), stops it there and
 * says what it stopped; a name on no backend, on two, or not on the one asked for is a UserError with
 * the command that stops it — never "is down" for something it did not stop. The one place that knows
 * which backends hold clusters of their own (local state, kind's clusters).
 */
export async function clusterDown(opts: { name: string; all?: boolean; backend?: BackendName }, warn: (m: string) => void, signal: AbortSignal = new AbortController().signal): Promise<string> {
  const io = { out: (t: string) => warn(t.trimEnd()), progress: warn, signal };
  if (opts.backend && opts.backend !== 'local' && opts.backend !== 'kind') return (await backendNamed(opts.backend)).cluster.down(opts, io);
  if (opts.all) {
    if (opts.backend === 'kind') throw new UserError('--all stops local clusters only', 'stop a kind cluster by name: ebbflow cluster down --backend kind --cluster-name N');
    const kinds = await kindClusterNames();
    const names = local.listLocalClusters();
    for (const e of local.listStateEntries().filter((x) => !names.includes(x))) warn(`skipping "${e}" in the state directory: not a cluster name`);
    let out = '';
    for (const n of names) {
      if (kinds.has(n) && local.localClusterState(n) !== 'cluster') {
        warn(`skipping "${n}": it is the kind cluster ebbflow-${n} (stop it with \`ebbflow cluster down --backend kind --cluster-name ${n}\`)`);
        continue;
      }
      out += said(n, await local.stopCluster(n));
    }
    return names.length === 0 ? 'no local clusters\n' : out;
  }
  local.validateClusterName(opts.name, '--name');
  const where = chooseDownBackend(opts.name, opts.backend, { local: local.localClusterState(opts.name), kind: (await kindClusterNames()).has(opts.name) });
  if (where === 'kind') return (await backendNamed('kind')).cluster.down(opts, io);
  return said(opts.name, await local.stopCluster(opts.name));
}
