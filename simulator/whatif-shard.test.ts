import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../scenarios/index.ts';
import { baseManifests } from './system.ts';
import { product, parseVary } from './sweep.ts';
import { runSweep } from './whatif.ts';
import { decodeShardInput, encodeShardInput, encodeShardOutput, mergeShards, parseShardOutput, parseShardSpec, runShard, shardRange } from './whatif-shard.ts';

const tiny = fileURLToPath(new URL('../scenarios/tiny.yaml', import.meta.url));

describe('whatif shards', () => {
  it('splits any sweep into contiguous blocks that cover it exactly once, also with more shards than configurations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 64 }), (total, count) => {
        const seen: number[] = [];
        for (let i = 0; i < count; i++) {
          const { start, end } = shardRange(total, i, count);
          expect(end - start).toBeGreaterThanOrEqual(Math.floor(total / count));
          expect(end - start).toBeLessThanOrEqual(Math.ceil(total / count));
          for (let j = start; j < end; j++) seen.push(j);
        }
        expect(seen).toEqual(Array.from({ length: total }, (_, j) => j));
      }),
    );
  });

  it('parses i/n and refuses what is not a shard of n', () => {
    expect(parseShardSpec('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/3', '0/0', '-1/3', '1', 'a/b', '0/10001']) expect(() => parseShardSpec(bad), bad).toThrow(/--shard/);
  });

  it('merged shards are the local sweep, row for row, for several shard counts (incl. n > configurations)', async () => {
    const scenario = await loadScenario(tiny);
    const vary = ['sourceMax=0..2', 'target=2500,3500'];
    const configs = product(vary.map(parseVary));
    const local = await runSweep({ file: tiny, configs, days: 1, growth: 1.2, workers: 2 });
    // tiny.yaml has expectations: every row carries a verdict for each.
    expect(local.every((r) => r.expectations.length === scenario.expectations.length && r.expectations.every((v) => typeof v === 'boolean'))).toBe(true);
    // Through the same text a Job's ConfigMap and pod logs carry.
    const input = decodeShardInput(encodeShardInput({ scenario, manifests: baseManifests(), vary, days: 1, growth: 1.2 }));
    expect(input.configs).toEqual(configs);
    for (const n of [1, 2, 4, 9]) {
      const outputs = Array.from({ length: n }, (_, i) => parseShardOutput(`log noise\n${encodeShardOutput(runShard(input, i, n), i, n, configs.length)}`, `shard ${i}`));
      const merged = mergeShards(configs, outputs);
      expect(JSON.stringify(merged), `n=${n}`).toBe(JSON.stringify(local));
    }
  });

  it('keeps NaN and infinities through the line format', () => {
    const summary = { sloCoveragePercent: NaN, eciPodHours: Infinity, ecsNodes: -Infinity, costEcs: 0.1 + 0.2, costEci: -0, costTotal: 1e-300, peakReplicas: 3, atMinReplicasPercent: 0, atMaxReplicasPercent: 12.5, directionChanges: 0, slowestReactionSeconds: NaN, seconds: 86400 };
    const out = parseShardOutput(encodeShardOutput([{ index: 0, summary, expectations: [true, null, false] }], 0, 1, 1), 'x');
    expect(out.rows[0]!.summary).toEqual(summary);
    expect(out.rows[0]!.expectations).toEqual([true, null, false]);
    expect(Object.keys(out.rows[0]!.summary)).toEqual(Object.keys(summary));
  });

  it('refuses truncated output, a missing shard and a configuration from two shards', () => {
    const summary = { sloCoveragePercent: 1, eciPodHours: 0, ecsNodes: 1, costEcs: 1, costEci: 0, costTotal: 1, peakReplicas: 1, atMinReplicasPercent: 0, atMaxReplicasPercent: 0, directionChanges: 0, slowestReactionSeconds: 30, seconds: 1 };
    const text = encodeShardOutput([{ index: 0, summary, expectations: [] }, { index: 1, summary, expectations: [] }], 0, 1, 2);
    expect(() => parseShardOutput(text.split('\n').slice(0, 2).join('\n'), 'pod x')).toThrow(/pod x: output ends without its trailer/);
    expect(() => parseShardOutput('nothing here\n', 'pod y')).toThrow(/pod y: no shard output/);
    const configs = [{ target: 1 }, { target: 2 }, { target: 3 }];
    const one = parseShardOutput(encodeShardOutput([{ index: 0, summary, expectations: [] }, { index: 1, summary, expectations: [] }], 0, 2, 3), 'a');
    expect(() => mergeShards(configs, [one])).toThrow(/configuration 2 came from no shard/);
    expect(() => mergeShards(configs, [one, one])).toThrow(/configuration 0 came from two shards/);
  });

  it('says which input is not a shard input', () => {
    expect(() => decodeShardInput('{', '/input/x.json')).toThrow(/\/input\/x.json: not JSON/);
    expect(() => decodeShardInput('{"format":"other"}', 'cm')).toThrow(/cm: format is "other"/);
  });
});
