/**
 * Exporter under scrape load: the production entry, compiled as in the image (`npm run build`,
 * `node dist/exporter/main.js`), runs as its own process against the fake SLS; k6 (from the
 * toolchain) scrapes /metrics at a constant arrival rate. Prints, per scrape rate, /metrics
 * latency p50/p99 as k6 saw it, the exporter's RSS (during and peak), and SLS queries per metric per
 * poll interval — which must stay 1 whatever the scrape rate.
 * Figures only; nothing asserts a time.
 *
 *   npm run bench:exporter -- [seconds per rate=20] [rates=10,100,500,1000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { resolveBinary } from '../../cluster/toolchain/index.ts';
import { startFakeSls } from '../../harness/fake-sls/index.ts';
import { freePort } from '../../harness/pipeline/process.ts';
import { waitUntil } from '../../core/wait.ts';

const seconds = Number(process.argv[2] ?? 20);
const rates = (process.argv[3] ?? '10,100,500,1000').split(',').map(Number);
const INTERVAL_S = 1;
const metrics = [
  { name: 'active_devices', logstore: 'device-heartbeat' },
  { name: 'active_devices_web', logstore: 'web-heartbeat' },
];
const VALUE = 1_234_567;

const k6 = resolveBinary('k6');
const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ebbflow-bench-exporter-'));
const sls = await startFakeSls({
  projects: { 'chat-prod': metrics.map((m) => m.logstore) },
  // Curve mode answers every aggregate; which metric asked is told apart by logstore in stats().
  curve: () => VALUE,
});
const port = await freePort();
const config = join(dir, 'exporter.yaml');
const writeConfig = (renderCache: string) =>
  writeFileSync(
    config,
    `sls:
  endpoint: ${sls.endpoint}
  credentials: {accessKeyId: ebbflow-test-ak, accessKeySecret: ebbflow-test-secret}
listen: {host: 127.0.0.1, port: ${port}, renderCache: ${renderCache}}
metrics:
${metrics
  .map(
    (m) => `  - name: ${m.name}
    project: chat-prod
    logstore: ${m.logstore}
    query: "* | select approx_distinct(device_id) as n"
    valueColumn: n
    interval: ${INTERVAL_S}s
    timeout: 800ms
    maxStaleness: 10s
    retries: 0`,
  )
  .join('\n')}
`,
  );

// The production image runs the compiled entry with plain node (no TypeScript loader thread).
await execa('npm', ['run', '-s', 'build'], { cwd: repo, stdio: 'inherit' });
let exporter: ChildProcess | undefined;
const cleanup = async () => {
  exporter?.kill('SIGTERM');
  await sls.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
};
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
const url = `http://127.0.0.1:${port}`;

function rssMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

const script = join(dir, 'scrape.js');
const summary = join(dir, 'summary.json');
writeFileSync(
  script,
  `import http from 'k6/http';
export const options = {
  scenarios: { scrape: { executor: 'constant-arrival-rate', rate: __ENV.RATE, timeUnit: '1s', duration: '${seconds}s', preAllocatedVUs: 50, maxVUs: 200 } },
  summaryTrendStats: ['med', 'p(99)', 'max'],
};
export default function () {
  const r = http.get('${url}/metrics');
  if (r.status !== 200 || r.body.indexOf('active_devices ${VALUE}') < 0) throw new Error('bad scrape: ' + r.status);
}
export function handleSummary(data) { return { '${summary}': JSON.stringify(data) }; }
`,
);

// The poller waits interval + 0–10 % jitter between queries: 1.05 intervals on average.
const MEAN_INTERVAL_S = INTERVAL_S * 1.05;
console.log(`exporter (compiled production entry, own process) against the fake SLS: ${metrics.length} metrics polled every ${INTERVAL_S}s (+ jitter); k6 scrapes /metrics for ${seconds}s per rate`);
const variants = [
  { name: 'renderCache 200ms (default)', renderCache: '200ms' },
  { name: 'renderCache 0 (baseline: render every scrape)', renderCache: '0' },
];
const at500: Record<string, { p99: number; rss: number }> = {};
for (const v of variants) {
  writeConfig(v.renderCache);
  const proc = spawn(process.execPath, [join(repo, 'dist/exporter/main.js'), '--config', config], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, EBBFLOW_LOG_LEVEL: 'warn' } });
  exporter = proc;
  await waitUntil('exporter ready', 30_000, async () => ((await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined));
  console.log(`\n${v.name}`);
  console.log('  scrape rate   requests   p50 ms   p99 ms   max ms   failed   RSS MB (peak so far)   heap used/total MB   SLS queries per metric per poll interval');
  for (const rate of rates) {
    const before = sls.stats().byLogstore;
    const t0 = performance.now();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(proc.pid!).rss)), 250);
    await execa(k6, ['run', '--quiet', '--no-usage-report', '-e', `RATE=${rate}`, script], { env: { K6_NO_USAGE_REPORT: 'true' } });
    clearInterval(sampler);
    const elapsed = (performance.now() - t0) / 1000;
    const after = sls.stats().byLogstore;
    const s = JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
    const d = s.metrics.http_req_duration!.values;
    const reqs = s.metrics.http_reqs!.values.count!;
    const failed = s.metrics.http_req_failed?.values.passes ?? 0;
    const perInterval = metrics.map((m) => ((after[`chat-prod/${m.logstore}`] ?? 0) - (before[`chat-prod/${m.logstore}`] ?? 0)) / (elapsed / MEAN_INTERVAL_S));
    const { hwm } = rssMb(proc.pid!);
    const self = await (await fetch(`${url}/metrics`)).text();
    const mb = (n: string) => (Number(new RegExp(`^${n} ([\\d.e+]+)`, 'm').exec(self)?.[1] ?? NaN) / 2 ** 20).toFixed(0);
    if (rate === 500) at500[v.name] = { p99: d['p(99)']!, rss: peakRss };
    console.log(
      `  ${String(rate).padStart(7)}/s   ${String(reqs).padStart(8)}   ${d.med!.toFixed(2).padStart(6)}   ${d['p(99)']!.toFixed(2).padStart(6)}   ${d.max!.toFixed(1).padStart(6)}   ${String(failed).padStart(6)}   ${peakRss.toFixed(1).padStart(6)} (${hwm.toFixed(1)})          ${`${mb('nodejs_heap_size_used_bytes')}/${mb('nodejs_heap_size_total_bytes')}`.padStart(7)}           ${perInterval.map((q, i) => `${metrics[i]!.name} ${q.toFixed(2)}`).join(', ')}`,
    );
  }
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
}
const [a, b] = variants.map((v) => at500[v.name]);
if (a && b) console.log(`\nat 500 req/s, default vs baseline: p99 ${a.p99.toFixed(2)} vs ${b.p99.toFixed(2)} ms (×${(a.p99 / b.p99).toFixed(2)}), RSS ${a.rss.toFixed(1)} vs ${b.rss.toFixed(1)} MB (×${(a.rss / b.rss).toFixed(2)})`);
console.log('goals at ~500 req/s: p99 ≤ 5 ms, RSS ≤ 80 MB; SLS queries per metric per poll interval ≈ 1 at every scrape rate');
await cleanup();
