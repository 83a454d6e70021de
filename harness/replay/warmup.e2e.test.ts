import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUserError } from '../../core/errors.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import { freePort } from '../pipeline/process.ts';
import { runReplay } from './engine/engine.ts';

/**
 * A team's exporter that never reaches the fake SLS and publishes 0 (what an exporter whose SDK
 * cannot resolve `<project>.localhost` does): the warm-up must refuse it — exit 2 naming the
 * exporter stage and showing its last log lines — instead of replaying a run on a metric of 0.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ebf-warmup-stuck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STUCK_EXPORTER = `import http.server, os
print('query failed: cannot resolve %s.%s' % (os.environ['SLS_PROJECT'], os.environ['SLS_ENDPOINT'].split(':')[0]), flush=True)
class Metrics(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'# TYPE active_devices gauge\\nactive_devices 0\\n'
        self.send_response(200)
        self.send_header('content-type', 'text/plain; version=0.0.4')
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), Metrics).serve_forever()
`;

describe('warm-up and a metric stuck at 0', () => {
  it("refuses a team's exporter that publishes 0 while the curve holds 1,500 devices: exit 2, the stage, its log", async () => {
    const port = await freePort();
    const tiny = readFileSync(join(ROOT, 'scenarios/tiny.yaml'), 'utf8').replace('name: tiny', 'name: tiny-stuck');
    writeFileSync(join(dir, 'exporter.py'), STUCK_EXPORTER);
    writeFileSync(join(dir, 'scenario.yaml'), `${tiny}\nexporter:\n  command: [python3, exporter.py]\n  env: {PORT: "${port}"}\n  metricsUrl: http://127.0.0.1:${port}/metrics\n`);
    const scenario = await loadScenario(join(dir, 'scenario.yaml'), { allowExporterCommand: true });
    const warnings: string[] = [];
    const t0 = Date.now();
    const e = await runReplay({ scenario, out: join(dir, 'out'), clusterName: 'e2e-warmup-stuck', warmupTimeoutSeconds: 20, onManifestWarning: (w) => warnings.push(w) }).then(
      () => undefined,
      (x: unknown) => x as Error & { hint?: string },
    );
    expect(e && isUserError(e), String(e?.stack)).toBe(true);
    expect(e!.message).toMatch(/^warm-up: active_devices stayed at 0 in exporter \(http:\/\/127\.0\.0\.1:\d+\/metrics\) for the whole warm-up \(20 s\) while source \(the scenario's curve at the window start\) held 1500/);
    expect(e!.message).toContain('source 1500 → exporter 0 → prometheus 0 → adapter 0 → hpa 0');
    expect(e!.message).toMatch(/the exporter's last log lines:\n {2}query failed: cannot resolve chat-prod\.localhost/);
    expect(e!.hint).toMatch(/never got an answer from the fake SLS/);
    // Refused at the warm-up's end, not after the replayed window (20 virtual minutes at 60×).
    expect(Date.now() - t0).toBeLessThan(120_000);
    // The report says why too.
    expect(readFileSync(join(dir, 'out/summary.md'), 'utf8')).toContain('stayed at 0 in exporter');
    // On a resolver that does not answer *.localhost the preflight said so before the start.
    if (warnings.length) expect(warnings.join('\n')).toMatch(/chat-prod\.localhost.*HTTP_PROXY/);
    expect(existsSync(join(dir, 'out/timeline.jsonl'))).toBe(true);
  }, 240_000);
});

/** An unmodified exporter on the official Python SDK: nothing in it maps <project>.localhost. */
const PLAIN_PY_EXPORTER = `import os, time
from aliyun.log import LogClient
from prometheus_client import Gauge, start_http_server

client = LogClient(os.environ['SLS_ENDPOINT'], os.environ['ALIBABA_CLOUD_ACCESS_KEY_ID'], os.environ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'])
gauge = Gauge('active_devices', 'Distinct devices in the window')
start_http_server(int(os.environ['PORT']), addr='127.0.0.1')
while True:
    now = int(time.time())
    try:
        rows = client.get_log(os.environ['SLS_PROJECT'], os.environ['SLS_LOGSTORE'], now - int(os.environ['EBBFLOW_SLS_WINDOW_SECONDS']), now, query=os.environ['SLS_QUERY']).get_logs()
        if rows:
            gauge.set(float(rows[0].get_contents()['active_devices']))
    except Exception as e:
        print('query failed:', e, flush=True)
    time.sleep(float(os.environ['EBBFLOW_EXPORTER_INTERVAL_SECONDS']))
`;

describe('a team exporter whose resolver does not answer <project>.localhost', () => {
  it('reaches the fake SLS through the replay’s HTTP proxy, and the run passes', async () => {
    const python = (await ensureBinaries(['sls-python']))['sls-python']!;
    const port = await freePort();
    const d = join(dir, 'plain');
    const tiny = readFileSync(join(ROOT, 'scenarios/tiny.yaml'), 'utf8').replace('name: tiny', 'name: tiny-plain-py');
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    writeFileSync(join(d, 'exporter.py'), PLAIN_PY_EXPORTER);
    writeFileSync(join(d, 'scenario.yaml'), `${tiny}\nexporter:\n  command: [${JSON.stringify(python)}, exporter.py]\n  env: {PORT: "${port}"}\n  metricsUrl: http://127.0.0.1:${port}/metrics\n`);
    const scenario = await loadScenario(join(d, 'scenario.yaml'), { allowExporterCommand: true });
    const r = await runReplay({ scenario, out: join(d, 'out'), clusterName: 'e2e-warmup-plain' });
    expect(r.results.filter((x) => !x.passed).map((x) => x.message)).toEqual([]);
    const exported = r.timeline.events.filter((e) => e.type === 'metric.published' && e.object === 'exporter').map((e) => e.to!);
    expect(Math.max(...exported)).toBe(5800);
  }, 240_000);
});
