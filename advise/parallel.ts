import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { SystemManifests } from '../kinds/system.ts';
import type { PricesInput } from '../core/prices.ts';
import type { DayData } from './days.ts';
import { mergeResults, type Found, type Grid, type SearchResult } from './search.ts';

/** The search split over worker threads by ECS pool size, merged. */
export async function searchInWorkers(o: { file: string; manifests: SystemManifests; cost?: PricesInput; growth?: number; grid: Grid; minSlo: number; seed: Found | null; workers?: number; days?: DayData[] | undefined }): Promise<SearchResult> {
  const of = Math.max(1, o.workers ?? availableParallelism());
  const { workers: _, ...data } = o;
  const parts = await Promise.all(
    Array.from(
      { length: of },
      (_x, index) =>
        new Promise<SearchResult>((resolve, reject) => {
          const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { ...data, part: { index, of } } });
          let result: SearchResult | undefined;
          w.on('message', (r: SearchResult) => (result = r));
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`advise worker exited with ${code}`))));
        }),
    ),
  );
  return mergeResults(parts);
}
