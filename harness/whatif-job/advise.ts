import { gzipSync } from 'node:zlib';
import { mergeResults, type SearchResult } from '../../advise/search.ts';
import { encodeAdviseInput, parseAdviseOutput, type AdviseShardInput } from '../../advise/shard.ts';
import type { OnClusterFlags } from './flags.ts';
import { runIndexedJob, type IndexedJobRunner } from './run.ts';

/**
 * `advise --on-cluster`: the search as an Indexed Job of the tool image, each completion index
 * searching its share as a local worker thread would (every n-th ECS pool size, `advise/search.ts`'s
 * `part`), the parts' results read from the pods' logs and merged as the threads' are — so the
 * answer is the local search's.
 */
export async function adviseOnCluster(
  flags: OnClusterFlags,
  s: AdviseShardInput & { signal?: AbortSignal; progress?: (done: number, total: number) => void; log?: (line: string) => void },
  run: IndexedJobRunner = runIndexedJob,
): Promise<SearchResult> {
  const { signal, progress, log, ...input } = s;
  const r = await run({
    kubeconfig: flags.kubeconfig!, input: gzipSync(encodeAdviseInput(input), { level: 9 }), what: 'advise',
    // A part searches whole pool sizes: more shards than sizes would idle.
    maxShards: input.grid.ecsNodes.length, work: `the search over ${input.grid.ecsNodes.length} ECS pool size(s)${input.days ? ` on ${input.days.length} day(s)` : ''}`,
    ...(signal ? { signal } : {}), ...(progress ? { progress } : {}), ...(log ? { log } : {}),
    ...(flags.namespace ? { namespace: flags.namespace } : {}), ...(flags.image ? { image: flags.image } : {}), ...(flags.loadIntoKind ? { loadIntoKind: flags.loadIntoKind } : {}), ...(flags.shards ? { shards: flags.shards } : {}),
  });
  return mergeResults(r.logs.map((l, i) => parseAdviseOutput(l.log, i, r.shards, l.where)));
}
