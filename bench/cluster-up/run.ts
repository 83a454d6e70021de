/**
 * Median time from `startCluster` to every node Ready, with cached binaries, over N runs, and where
 * the time goes by step. Figures only; nothing here asserts a time.
 *
 *   npm run bench:cluster-up -- [runs=5] [ecsNodes=3]
 */
import { startCluster } from '../../cluster/local/index.ts';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import { median } from '../stats.ts';

const runs = Number(process.argv[2] ?? 5);
const ecsNodes = Number(process.argv[3] ?? 3);

await ensureBinaries(['kwokctl', 'kwok', 'etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']);
const steps: Record<string, number[]> = {};
const totals: number[] = [];
const stops: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const c = await startCluster({ name: 'bench-up', nodePools: { ecs: [{ name: 'ecs', count: ecsNodes }] } });
  totals.push((performance.now() - t0) / 1000);
  let prev = 0;
  for (const [k, v] of Object.entries(c.timings)) {
    (steps[k] ??= []).push(v - prev);
    prev = v;
  }
  const s0 = performance.now();
  await c.stop();
  stops.push((performance.now() - s0) / 1000);
  process.stderr.write(`run ${i + 1}/${runs}: ${totals.at(-1)!.toFixed(2)}s up, ${stops.at(-1)!.toFixed(2)}s down\n`);
}

console.log(`cluster up → all ${ecsNodes + 1} nodes Ready (kwokctl binary runtime, cached binaries), ${runs} runs`);
console.log(`  median ${median(totals).toFixed(2)} s   min ${Math.min(...totals).toFixed(2)} s   max ${Math.max(...totals).toFixed(2)} s   (goal ≤ 15 s)`);
console.log('  where the time goes (median seconds per step):');
const labels: Record<string, string> = {
  toolchain: 'find cached binaries',
  controlPlane: 'kwokctl create: etcd, apiserver, kcm, scheduler, kwok up and apiserver answering',
  nodesCreated: 'register node objects',
  nodesReady: 'KWOK marks nodes Ready',
  ready: 'default ServiceAccount created (pods admissible)',
};
for (const [k, v] of Object.entries(steps)) console.log(`    ${k.padEnd(13)} ${median(v).toFixed(2).padStart(6)}  ${labels[k] ?? ''}`);
console.log(`  cluster down: median ${median(stops).toFixed(2)} s`);
