import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `ebbflow pipelines --no-replay`: the three pipelines simulated from one command onto one page. */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ebbflow-pipelines-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ebbflow pipelines --no-replay', () => {
  it('simulates the scenario through the adapter, KEDA prometheus and KEDA SLS pipelines and compares them', () => {
    const out = join(tmp, 'out');
    const r = spawnSync('node', ['bin/ebbflow.js', 'pipelines', 'scenarios/tiny.yaml', '--no-replay', '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, EBBFLOW_STATE_DIR: join(tmp, 'state'), EBBFLOW_CACHE_DIR: join(tmp, 'cache') } });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const md = readFileSync(join(out, 'summary.md'), 'utf8');
    const rows = md.split('\n').filter((l) => /^\| (adapter|keda-prometheus|keda-sls) \|/.test(l));
    expect(rows.map((l) => l.split(' | ')[0])).toEqual(['| adapter', '| keda-prometheus', '| keda-sls']);
    const lag = (row: string) => Number(/\| (\d+) s \|/.exec(row)![1]);
    // The SLS scaler is asked directly on each HPA sync: no exporter interval nor Prometheus scrape in its path.
    expect(lag(rows[2]!)).toBeLessThan(lag(rows[0]!));
    // Each pipeline ran its own manifests, each with its own reports.
    for (const name of ['adapter', 'keda-prometheus', 'keda-sls']) expect(existsSync(join(out, name, 'timeline.jsonl')), name).toBe(true);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<td>keda-sls</td>');
    expect(html).toContain('"name":"keda-prometheus","type":"line"');
  }, 120_000);
});
