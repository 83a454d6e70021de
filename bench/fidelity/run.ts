/**
 * The fidelity frontier: one day of the weekday curve replayed on the real control plane at several
 * compression factors, each compared sample by sample with the simulator and with the lowest-k run
 * (replica agreement, decision-time offsets, missed and extra scaling decisions), with where the
 * error comes from (samples late or lost, lag per pipeline stage, CPU and load average). Figures only.
 *
 *   npm run bench:fidelity -- [--k 60,300,600,1200] [--hours 24] [--start 00:00] [--out DIR]
 *   npm run bench:fidelity -- --k 600 --hours 6           (a quick look: about a minute)
 *
 * A k above the CLI's cap is replayed all the same (the scenario is checked at the cap, then run
 * at k): finding where the cap should be is what this bench is for.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeSetup, runReplay, type ReplayProgress, type SetupTiming } from '../../harness/replay/engine/engine.ts';
import type { Timeline } from '../../core/timeline/format.ts';
import { SCENARIO_BOUNDS } from '../../scenarios/bounds.ts';
import { parseScenario, type Scenario } from '../../scenarios/index.ts';
import { simulate, systemFromScenario } from '../../simulator/index.ts';
import { median, percentile } from '../stats.ts';
import { fidelity, sampleLoss, stageLags, type Fidelity } from './compare.ts';
import { watchLoad, type LoadFigures } from '../fidelity-load.ts';

const { values: args } = parseArgs({
  options: { k: { type: 'string', default: '60,300,600,1200' }, hours: { type: 'string', default: '24' }, start: { type: 'string', default: '00:00' }, out: { type: 'string' } },
});
const ks = args.k.split(',').map(Number).sort((a, b) => a - b);
const hours = Number(args.hours);
const out = args.out ?? join(tmpdir(), 'ebf-bench-fidelity');
if (ks.some((k) => !(k >= 1)) || !(hours > 0 && hours <= 24)) throw new Error('--k takes compression factors ≥ 1 (comma-separated), --hours 0–24');
const [h, m = '0'] = args.start.split(':');
const startMin = Number(h) * 60 + Number(m);
const endMin = Math.min(24 * 60, startMin + Math.round(hours * 60));
const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
const curves = fileURLToPath(new URL('../../scenarios/', import.meta.url));

async function scenarioAt(k: number): Promise<Scenario> {
  const checkedAt = Math.min(k, SCENARIO_BOUNDS.compression.max);
  const yaml = `name: bench-fidelity\ncurve: {file: curves/weekday.csv, transforms: [{scale: 0.008}]}\nwindows: [{start: "${hhmm(startMin)}", end: "${hhmm(endMin)}"}]\ncompression: ${checkedAt}\nnodes: {ecs: [{name: ecs, count: 3}]}\nhpa: {minReplicas: 1, maxReplicas: 14, target: {type: AverageValue, value: 1000}}\nelasticWorkload: {sourceMax: 2}\n`;
  const s = await parseScenario(yaml, join(curves, 'bench-fidelity.yaml'));
  return { ...s, compression: k };
}

interface Row {
  k: number;
  setupSeconds: number;
  warmupSeconds: number;
  replaySeconds: number;
  vsSim: Fidelity;
  vsLowest?: Fidelity;
  loss: ReturnType<typeof sampleLoss>;
  lags: Record<string, { p50: number; p90: number; n: number }>;
  load: LoadFigures;
  /** Where the setup's seconds went: each component from its start to ready. */
  setupSteps: SetupTiming[];
  error?: string;
}

async function replayAt(k: number, lowest: Timeline | undefined): Promise<{ row: Row; timeline: Timeline } | { row: Pick<Row, 'k' | 'error'> }> {
  const scenario = await scenarioAt(k);
  const marks: Partial<Record<ReplayProgress['phase'], number>> = {};
  let setupSteps: SetupTiming[] = [];
  const load = watchLoad();
  try {
    const r = await runReplay({
      scenario,
      out: join(out, `k${k}`),
      clusterName: `bench-fidelity-${k}`,
      onProgress: (p) => {
        marks[p.phase] ??= p.wallSeconds;
        if (p.setupTimings) setupSteps = p.setupTimings;
        if (p.phase === 'replay' && p.virtualDone !== undefined) process.stderr.write(`\rk=${k}: ${(p.virtualDone / 3600).toFixed(2)} / ${hours} virtual h, ${p.wallSeconds.toFixed(0)} s wall   `);
      },
    });
    process.stderr.write('\n');
    const tl = r.timeline;
    const sim = simulate(scenario, systemFromScenario(scenario)).timeline!;
    const lags = Object.fromEntries(Object.entries(stageLags(tl, (t) => scenario.curve.at((t - scenario.dayStartMs) / 1000))).map(([s, xs]) => [s, { p50: median(xs), p90: percentile(xs, 90), n: xs.length }]));
    const row: Row = {
      k,
      setupSeconds: marks.warmup ?? NaN,
      warmupSeconds: (marks.replay ?? NaN) - (marks.warmup ?? NaN),
      replaySeconds: (marks.report ?? r.wallSeconds) - (marks.replay ?? 0),
      vsSim: fidelity(tl, sim),
      ...(lowest ? { vsLowest: fidelity(tl, lowest) } : {}),
      loss: sampleLoss(tl, scenario.sampleEverySeconds),
      lags,
      load: load.stop(),
      setupSteps,
    };
    return { row, timeline: tl };
  } catch (e) {
    load.stop();
    return { row: { k, error: e instanceof Error ? e.message.split('\n')[0] : String(e) } };
  }
}

const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : `${x.toFixed(1)}%`);
const num = (x: number, d = 0) => (Number.isNaN(x) ? '—' : x.toFixed(d));

function print(rows: Row[]): void {
  console.log(`\nfidelity frontier: weekday curve ×0.008, ${hhmm(startMin)}–${hhmm(endMin)} (${hours} virtual h), HPA AverageValue 1000/replica, 3 ECS nodes + ECI`);
  console.log('| k | setup + warm-up s | replay s | samples (owed) | late p90 / max s | ±1 sim | equal sim | ±1 lowest k | offset p50 / p90 s | missed / extra | stage lag p50 exporter / Prometheus / adapter s | load avg mean / max | CPU busy mean / max | this process, cores |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  // The replay's probe reads each stage every max(100 ms, scrape interval / 2) of wall time: at high k
  // a stage lag is only known to that many virtual seconds.
  for (const r of rows) {
    const lag = (s: string) => num(r.lags[s]?.p50 ?? NaN);
    const probeSeconds = (Math.max(100, 15_000 / r.k / 2) * r.k) / 1000;
    console.log(
      `| ${r.k} | ${num(r.setupSeconds, 1)} + ${num(r.warmupSeconds, 1)} | ${num(r.replaySeconds)} | ${r.loss.recorded} (${r.loss.expected}) | ${num(r.loss.lateP90, 1)} / ${num(r.loss.lateMax, 1)} | ${pct(r.vsSim.within1Percent)} | ${pct(r.vsSim.equalPercent)} | ${pct(r.vsLowest?.within1Percent)} | ${num(r.vsSim.offsetP50)} / ${num(r.vsSim.offsetP90)} | ${r.vsSim.missed} / ${r.vsSim.extra} of ${r.vsSim.matched + r.vsSim.missed} | ${lag('exporter')} / ${lag('prometheus')} / ${lag('adapter')} (±${num(probeSeconds)}) | ${num(r.load.loadAvgMean, 1)} / ${num(r.load.loadAvgMax, 1)} | ${num(r.load.busyMean)}% / ${num(r.load.busyMax)}% | ${num(r.load.selfCores, 2)} |`,
    );
  }
  console.log('\nsetup by step (wall seconds after planning, start → ready):');
  for (const r of rows) console.log(`  k=${r.k}: ${describeSetup(r.setupSteps)}`);
}

mkdirSync(out, { recursive: true });
const rows: Row[] = [];
let lowest: Timeline | undefined;
for (const k of ks) {
  const res = await replayAt(k, lowest);
  if ('timeline' in res) {
    rows.push(res.row);
    lowest ??= res.timeline;
  } else console.log(`k=${k}: did not complete: ${res.row.error}`);
}
print(rows);
writeFileSync(join(out, 'fidelity.json'), `${JSON.stringify(rows, null, 2)}\n`);
console.log(`\nper-k reports and timelines: ${out}/k<k>/; figures: ${join(out, 'fidelity.json')}`);
