/**
 * A day on the real control plane: wall time per virtual hour at compression k, and the pipeline's
 * decision lag per stage (exporter, Prometheus, adapter: how long after the curve had a value each
 * stage served it; HPA: reaction to a rise of the needed level). HPA without behavior. Figures only.
 *
 *   npm run bench:replay -- [hours=24] [k=72] [start=00:00]      (24 h at k=72 takes about 21 minutes)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../../scenarios/index.ts';
import { runReplay } from '../../harness/replay/engine/engine.ts';
import { reactionTimes } from '../../core/checks/checks.ts';
import { median, percentile } from '../stats.ts';

// `npm run bench:replay -- fleet …`: events mode's largest sustained device fleet (bench/replay/fleet.ts).
if (process.argv[2] === 'fleet') {
  await import('./fleet.ts');
  process.exit(0);
}
// `npm run bench:replay -- --backend local,kind`: one scenario's wall time on each backend (bench/replay/backends.ts).
if (process.argv.includes('--backend')) {
  await import('./backends.ts');
  process.exit(0);
}

const hours = Number(process.argv[2] ?? 24);
const k = Number(process.argv[3] ?? 72);
const start = process.argv[4] ?? '00:00';
const startMin = Number(start.split(':')[0]) * 60 + Number(start.split(':')[1] ?? 0);
const endMin = Math.min(24 * 60, startMin + Math.round(hours * 60));
const end = `${String(Math.floor(endMin / 60)).padStart(2, '0')}:${String(endMin % 60).padStart(2, '0')}`;
const curves = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const scenario = await parseScenario(
  `name: bench-day\ncurve: {file: curves/weekday.csv, transforms: [{scale: 0.008}]}\nwindows: [{start: "${start}", end: "${end}"}]\ncompression: ${k}\nnodes: {ecs: [{name: ecs, count: 3}]}\nhpa: {minReplicas: 1, maxReplicas: 14, target: {type: AverageValue, value: 1000}}\nelasticWorkload: {sourceMax: 2}\n`,
  join(curves, 'bench-day.yaml'),
);
let replayStart = 0;
let replayEnd = 0;
const r = await runReplay({
  scenario,
  out: mkdtempSync(join(tmpdir(), 'ebf-bench-replay-')),
  clusterName: 'bench-replay',
  onProgress: (p) => {
    if (p.phase === 'replay' && !replayStart) replayStart = performance.now();
    if (p.phase === 'report' && !replayEnd) replayEnd = performance.now();
    if (p.phase === 'replay' && Math.round(p.wallSeconds) % 60 === 0) process.stderr.write(`\r${((p.virtualDone ?? 0) / 3600).toFixed(2)} / ${hours} virtual hours`);
  },
});
process.stderr.write('\n');
const wallReplay = (replayEnd - replayStart) / 1000;
const tl = r.timeline;

// When did the curve last have the value a stage published? (searching back up to 10 virtual minutes)
const dayStart = scenario.dayStartMs;
const lagOf = (t: number, v: number) => {
  let best = Infinity;
  let at = t;
  for (let back = 0; back <= 600_000; back += 1000) {
    const d = Math.abs(Math.round(scenario.curve.at((t - back - dayStart) / 1000)) - v);
    if (d < best) {
      best = d;
      at = t - back;
    }
    if (d === 0) break;
  }
  return (t - at) / 1000;
};
const stages = ['exporter', 'prometheus', 'adapter'];
console.log(`replay of ${hours} virtual h from ${start} (weekday curve ×0.008, HPA without behavior) at k=${k}`);
console.log(`  wall: ${wallReplay.toFixed(0)} s replaying + ${(r.wallSeconds - wallReplay).toFixed(0)} s setup/teardown → ${((wallReplay / hours) / 60).toFixed(2)} min per virtual hour; 24 h ≈ ${((wallReplay / hours) * 24 / 60).toFixed(1)} min (goal ≤ 24 min)`);
console.log('  decision lag per stage (virtual seconds after the curve had the value, median / p90):');
for (const s of stages) {
  const lags = tl.events.filter((e) => e.type === 'metric.published' && e.object === s && e.to !== undefined).map((e) => lagOf(e.t, e.to!));
  console.log(`    ${s.padEnd(11)} ${median(lags).toFixed(0).padStart(4)} / ${percentile(lags, 90).toFixed(0).padStart(4)}   (${lags.length} changes)`);
}
const rt = reactionTimes(tl, undefined, 0.1).map((x) => x.seconds);
console.log(`    HPA+EW      ${median(rt).toFixed(0).padStart(4)} / ${percentile(rt, 90).toFixed(0).padStart(4)}   (reaction of desired replicas to ${rt.length} rises beyond the 10 % band)`);
console.log(`  expectations: ${r.results.length ? r.results.map((x) => `${x.name} ${x.passed ? 'ok' : 'FAILED'}`).join(', ') : 'none'}`);
