/**
 * Median time from `startCluster` to every node Ready, with cached binaries, over N runs, and where
 * the time goes by step. Figures only; nothing here asserts a time.
 *
 * Then the kind backend side by side (`--kind`): the node image (cold when absent: assembled
 * offline, once) and warm `startKindCluster` to a Ready node with pods admissible.
 *
 *   npm run bench:cluster-up -- [runs=5] [ecsNodes=3] [--kind]
 */
import { startCluster } from '../../cluster/local/index.ts';
import { startKindCluster } from '../../cluster/kind/cluster.ts';
import { ensureKindNodeImage } from '../../cluster/kind/node-image.ts';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import { median } from '../stats.ts';

const args = process.argv.slice(2).filter((a) => a !== '--kind');
const withKind = process.argv.includes('--kind');
const runs = Number(args[0] ?? 5);
const ecsNodes = Number(args[1] ?? 3);

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

if (withKind) {
  const i0 = performance.now();
  const image = await ensureKindNodeImage({ progress: (l) => process.stderr.write(`${l}\n`) });
  const imageSeconds = (performance.now() - i0) / 1000;
  const ups: number[] = [];
  const downs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c = await startKindCluster({ name: 'bench-up' });
    ups.push((performance.now() - t0) / 1000);
    const s0 = performance.now();
    await c.stop();
    downs.push((performance.now() - s0) / 1000);
    process.stderr.write(`kind run ${i + 1}/${runs}: ${ups.at(-1)!.toFixed(2)}s up, ${downs.at(-1)!.toFixed(2)}s down\n`);
  }
  console.log(`kind backend (${image}): node image ready in ${imageSeconds.toFixed(1)} s (cached when ~0)`);
  console.log(`  cluster up → node Ready + default ServiceAccount: median ${median(ups).toFixed(2)} s   min ${Math.min(...ups).toFixed(2)} s   max ${Math.max(...ups).toFixed(2)} s   (goal ≤ 40 s)`);
  console.log(`  cluster down: median ${median(downs).toFixed(2)} s`);
}
