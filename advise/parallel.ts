import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { SystemManifests } from '../kinds/system.ts';
import type { PricesInput } from '../core/prices.ts';
import type { DayData } from './days.ts';
import { mergeResults, type Found, type Grid, type SearchResult } from './search.ts';
import { mergeFamilies, type FamiliesResult, type FamilyFound, type Variant } from './families.ts';

interface Common {
  file: string;
  manifests: SystemManifests;
  cost?: PricesInput;
  growth?: number;
  grid: Grid;
  minSlo: number;
  workers?: number;
  /** With a history: the days searched on, each candidate's outcome their aggregate (`days.ts`). */
  days?: DayData[] | undefined;
}

function inWorkers<R>(o: Common & object, parts: number): Promise<R[]> {
  const { workers: _, ...data } = o;
  return Promise.all(
    Array.from(
      { length: parts },
      (_x, index) =>
        new Promise<R>((resolve, reject) => {
          const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { ...data, part: { index, of: parts } } });
          let result: R | undefined;
          w.on('message', (r: R) => (result = r));
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`advise worker exited with ${code}`))));
        }),
    ),
  );
}

/** The search split over worker threads by ECS pool size, merged. */
export async function searchInWorkers(o: Common & { seed: Found | null }): Promise<SearchResult> {
  return mergeResults(await inWorkers<SearchResult>(o, Math.max(1, o.workers ?? availableParallelism())));
}

/** The families' variants split over worker threads (every n-th variant each), merged. */
export async function familiesInWorkers(o: Common & { variants: Variant[]; familySeed: FamilyFound | null; timeZone: string; hpa: { name: string; namespace?: string | undefined } }): Promise<FamiliesResult> {
  const parts = Math.max(1, Math.min(o.variants.length, o.workers ?? availableParallelism()));
  return mergeFamilies(await inWorkers<FamiliesResult>(o, parts));
}
