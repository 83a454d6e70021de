import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUserError } from '../../core/errors.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { freePort } from '../pipeline/process.ts';
import { runReplay } from './engine.ts';

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
