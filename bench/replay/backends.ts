/**
 * The same scenario replayed on each backend, side by side: wall time to the first replayed sample
 * (cluster, pipeline, warm-up), replaying, teardown + reports, and whether the expectations passed.
 * Backends run one after another (each owns the machine while it runs). Figures only.
 *
 *   npm run bench:replay -- --backend local,kind [--scenario scenarios/smoke.yaml]
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReplay } from '../../harness/replay/engine/engine.ts';
import type { BackendName as Backend } from '../../harness/replay/backends/index.ts';
import { loadScenario } from '../../scenarios/index.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const backends = arg('--backend', 'local,kind').split(',') as Backend[];
const file = resolve(fileURLToPath(new URL('../../', import.meta.url)), arg('--scenario', 'scenarios/smoke.yaml'));
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

interface Row { backend: Backend; setup: number; replay: number; teardown: number; total: number; passed: string; load: string }
const rows: Row[] = [];
for (const backend of backends) {
  const scenario = await loadScenario(file);
  let replayAt = 0;
  let reportAt = 0;
  const t0 = performance.now();
  const r = await runReplay({
    scenario,
    backend,
    out: mkdtempSync(join(tmpdir(), `ebf-bench-${backend}-`)),
    clusterName: `bench-replay-${backend}`,
    onProgress: (p) => {
      if (p.phase === 'replay' && !replayAt) replayAt = performance.now();
      if (p.phase === 'report' && !reportAt) reportAt = performance.now();
    },
  });
  const s = (a: number, b: number) => (b - a) / 1000;
  const failed = r.results.filter((x) => !x.passed).map((x) => x.name);
  rows.push({ backend, setup: s(t0, replayAt), replay: s(replayAt, reportAt), teardown: s(reportAt, performance.now()), total: s(t0, performance.now()), passed: failed.length ? `FAILED ${failed.join(', ')}` : 'passed', load: loadavg() });
}
console.log(`${scenario()} on each backend (2 cores; load average after each run)`);
console.log('  backend   setup+warm-up   replay   teardown+report   total    expectations   load avg');
for (const x of rows) console.log(`  ${x.backend.padEnd(8)}  ${x.setup.toFixed(0).padStart(8)} s   ${x.replay.toFixed(0).padStart(5)} s   ${x.teardown.toFixed(0).padStart(10)} s    ${x.total.toFixed(0).padStart(4)} s   ${x.passed.padEnd(13)}  ${x.load}`);

function scenario(): string {
  return file.split('/').slice(-2).join('/');
}
