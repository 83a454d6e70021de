/**
 * The test suite's wall time per file: runs vitest on the given projects and files with a reporter
 * that times each file from queued to ended, then prints the files slowest first, their sum and the
 * whole run's total, with the load average beside them; with `--baseline FILE`, side by side with a
 * run saved before (`--save FILE`). Figures only: nothing here fails on a time.
 *
 *   npm run bench:ci -- [--project e2e]... [--baseline FILE] [--save FILE] [files...]
 *   npm run bench:ci -- --show FILE [--baseline FILE]      (print a saved run, no vitest)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { watchLoad } from '../fidelity-load.ts';
import { formatRun, isRunFigures, type FileFigure, type RunFigures } from './figures.ts';

const { values: opts, positionals: files } = parseArgs({
  allowPositionals: true,
  options: {
    project: { type: 'string', multiple: true, default: [] },
    baseline: { type: 'string' },
    save: { type: 'string' },
    show: { type: 'string' },
  },
});

function readRun(file: string): RunFigures {
  const r: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isRunFigures(r)) throw new Error(`${file}: not a bench:ci run (no "kind": "ebbflow-bench-ci")`);
  return r;
}

async function measure(): Promise<RunFigures> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const tmp = mkdtempSync(join(tmpdir(), 'ebf-bench-ci-'));
  const out = join(tmp, 'files.json');
  const args = [...opts.project.flatMap((p) => ['--project', p]), ...files];
  const load = watchLoad();
  const t0 = performance.now();
  // vitest's own output goes to this terminal: the bench is also how the run is watched.
  const r = await execa('npx', ['vitest', 'run', ...args, '--reporter=default', `--reporter=${join(root, 'bench/ci/reporter.ts')}`], {
    cwd: root,
    env: { EBBFLOW_BENCH_CI_OUT: out },
    stdio: 'inherit',
    reject: false,
  });
  const totalSeconds = Math.round(performance.now() - t0) / 1000;
  const l = load.stop();
  let fileFigures: FileFigure[] = [];
  try {
    fileFigures = JSON.parse(readFileSync(out, 'utf8')) as FileFigure[];
  } catch {
    process.stderr.write('bench:ci: the reporter wrote no figures (did vitest start?)\n');
  }
  rmSync(tmp, { recursive: true, force: true });
  return {
    kind: 'ebbflow-bench-ci',
    measuredAt: new Date().toISOString(),
    args,
    totalSeconds,
    exitCode: r.exitCode ?? 1,
    load: { loadAvgMean: l.loadAvgMean, loadAvgMax: l.loadAvgMax, busyMean: l.busyMean },
    files: fileFigures,
  };
}

const run = opts.show ? readRun(opts.show) : await measure();
if (opts.save) writeFileSync(opts.save, `${JSON.stringify(run, null, 2)}\n`);
process.stdout.write(`\n${formatRun(run, opts.baseline ? readRun(opts.baseline) : undefined)}\n`);
