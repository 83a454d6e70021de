import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadScenario } from '../../scenarios/index.ts';
import { makeCurve } from '../../scenarios/curve.ts';
import { baseManifests, systemFromScenario } from '../../simulator/system.ts';
import { ecsPodCapacity } from '../../kinds/system.ts';
import { applyCandidate, currentCandidate, defaultGrid, outcomeOf } from '../../advise/evaluate.ts';
import { aggregate, dayData, dayScenario, onDays } from '../../advise/days.ts';
import { gridSize, passes, search, type Evaluate } from '../../advise/search.ts';
import { adviseOnCluster } from './advise.ts';
import { shardEntry } from './shard-entry.ts';
import type { IndexedJobRunner } from './run.ts';

/**
 * `advise --on-cluster` with a fake Indexed Job: each completion index runs the tool image's entry
 * point (`shard-entry.ts`) in this process on the input the Job's ConfigMap would carry, its stdout
 * the pod's log. The merged answer must be the local search's.
 */

const tmp = mkdtempSync(join(tmpdir(), 'ebbflow-advise-job-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fakeJob = (seen: { shards?: number }): IndexedJobRunner => async (o) => {
  const file = join(tmp, `input-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(file, gunzipSync(o.input));
  const shards = o.shards ?? o.maxShards;
  seen.shards = shards;
  const logs = Array.from({ length: shards }, (_, i) => {
    let log = '';
    shardEntry(['--input', file, '--shard', `${i}/${shards}`], (s) => (log += s));
    return { log, where: `pod ${i}` };
  });
  return { logs, shards, image: 'fake', namespace: 'fake', job: 'fake' };
};

describe('advise --on-cluster', async () => {
  const scenario = await loadScenario(fileURLToPath(new URL('../../scenarios/tiny.yaml', import.meta.url)));
  const manifests = baseManifests();
  const base = systemFromScenario(scenario, manifests);
  const current = currentCandidate(base);
  const pool = base.nodes.ecs[0]!;
  const grid = defaultGrid(current, { podsPerNode: ecsPodCapacity({ ecs: [{ ...pool, count: 1 }] }, base.pod), hasOverflowTier: true, size: 'small' });
  const run = (days?: ReturnType<typeof dayData>[]) => {
    const on = days ? days.map((d) => dayScenario(scenario, { day: d.day, curve: makeCurve(d.name, d.stepSeconds, d.values) }, 1.1)) : [scenario];
    const evaluate: Evaluate = days ? onDays(on, (s, c) => outcomeOf(s, applyCandidate(base, c), {})) : (c) => outcomeOf(scenario, applyCandidate(base, c), {});
    const now = aggregate(on.map((s) => outcomeOf(s, base, {})));
    const seed = passes(now, now.sloCoverage) ? { candidate: current, outcome: now } : null;
    return { evaluate, seed, minSlo: now.sloCoverage };
  };

  it('merges the shards into the local search: the same answer, every candidate explored once', async () => {
    const { evaluate, seed, minSlo } = run();
    const local = search(grid, evaluate, { minSlo, seed });
    const seen: { shards?: number } = {};
    const merged = await adviseOnCluster({ onCluster: true, kubeconfig: 'k' }, { scenario, manifests, grid, minSlo, seed }, fakeJob(seen));
    expect(seen.shards).toBe(grid.ecsNodes.length);
    expect(local.best).not.toBeNull();
    expect(merged.best).toEqual(local.best);
    expect(merged.explored).toBe(gridSize(grid));
    expect(merged.candidates).toBe(gridSize(grid));
  }, 120_000);

  it('on a history of two days (× growth), with fewer shards than pool sizes', async () => {
    const curve = (peak: number) => makeCurve('h', 60, Array.from({ length: 1441 }, (_, i) => (i >= 423 && i < 431 ? peak : 1500)));
    const days = [dayData({ day: '2026-01-05', curve: curve(5800) }), dayData({ day: '2026-01-06', curve: curve(6400) })];
    const { evaluate, seed, minSlo } = run(days);
    const local = search(grid, evaluate, { minSlo, seed });
    const merged = await adviseOnCluster({ onCluster: true, kubeconfig: 'k', shards: 2 }, { scenario, manifests, grid, minSlo, seed, days, growth: 1.1 }, fakeJob({}));
    expect(merged.best).toEqual(local.best);
    expect(merged.explored).toBe(gridSize(grid));
  }, 120_000);

  it("refuses a log that is not its index's result", async () => {
    const { seed, minSlo } = run();
    const swapped: IndexedJobRunner = async (o) => {
      const r = await fakeJob({})(o);
      return { ...r, logs: [...r.logs].reverse() };
    };
    await expect(adviseOnCluster({ onCluster: true, kubeconfig: 'k', shards: 2 }, { scenario, manifests, grid, minSlo, seed }, swapped)).rejects.toThrow(/pod 1: not the result of advise shard 0\/2/);
  }, 120_000);
});
