import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterStatus } from '../../cluster/local/index.ts';
import { extraPids, isAlive } from '../../cluster/local/state.ts';
import { checkReportInBrowser } from '../../reports/browser-check.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function replay(scenario: string, out: string, cluster: string, onStderr?: (s: string, child: ReturnType<typeof spawn>) => void, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/ebbflow.js'), 'replay', join(ROOT, scenario), '--out', out, '--cluster-name', cluster, ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ebbflow replay (real control plane, time-compressed)', () => {
  it('a short shipped scenario passes and writes every report; the HTML renders in Chromium', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ebf-replay-ok-'));
    const r = await replay('scenarios/tiny.yaml', out, 'e2e-replay-ok');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const f of ['report.html', 'junit.xml', 'summary.md', 'timeline.jsonl']) expect(existsSync(join(out, f)), f).toBe(true);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/failures="0"/);
    expect(junit).toContain('scaleDownOrder');
    const lines = readFileSync(join(out, 'timeline.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; type?: string; nodeType?: string; ew?: { units: Record<string, number> } });
    expect(lines[0]!.kind).toBe('meta');
    // The step up overflowed onto ECI, and the unit pods ran on the virtual node.
    expect(lines.some((l) => l.kind === 'sample' && (l.ew?.units['nginx-unit-virtual-kubelet'] ?? 0) > 0)).toBe(true);
    expect(lines.some((l) => l.type === 'pod.ready' && l.nodeType === 'eci')).toBe(true);
    expect(lines.some((l) => l.type === 'hpa.rescale')).toBe(true);
    // The stack stopped everything, Prometheus and the adapter included, and removed the cluster.
    expect((await clusterStatus('e2e-replay-ok')).exists).toBe(false);
    const page = await checkReportInBrowser(join(out, 'report.html'));
    expect(page.charts).toBe('5');
    expect(page.ink.every((n) => n > 500)).toBe(true);
    expect(page.screenshotBytes).toBeGreaterThan(50_000);
    expect(page.errors).toEqual([]);
  }, 300_000);

  it('a scenario with a wrong expectation exits 1 and names the failing assertion in JUnit', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ebf-replay-fail-'));
    // What is tested is the exit code and the JUnit of a broken bound, not timing: k = 300 plays the
    // 12 virtual minutes in 2.4 s instead of 12 s, and the step up (6 replicas wanted against a bound
    // of 3) still has 9 virtual minutes (the HPA's decisions lag 30–75 virtual s at k = 300).
    const r = await replay('scenarios/tiny-fail.yaml', out, 'e2e-replay-fail', undefined, ['--compression', '300']);
    expect(r.code, r.stderr).toBe(1);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase[^>]*name="replicaBounds\(ew\.replicas in \[1, 3\]\)"[^>]*>\s*<failure/);
    expect(r.stdout).toMatch(/FAIL {2}replicaBounds/);
  }, 300_000);

  it('Ctrl-C mid-replay stops cleanly: exit 130, a partial report, no process left', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ebf-replay-int-'));
    let sent = false;
    const r = await replay('scenarios/tiny.yaml', out, 'e2e-replay-int', (_err, child) => {
      if (sent) return;
      const tl = join(out, 'timeline.jsonl');
      if (existsSync(tl) && readFileSync(tl, 'utf8').split('\n').filter((l) => l.includes('"kind":"sample"')).length >= 5) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    for (const f of ['report.html', 'junit.xml', 'summary.md', 'timeline.jsonl']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('interrupted');
    const st = await clusterStatus('e2e-replay-int');
    expect(st.components.filter((c) => c.state === 'running')).toEqual([]);
    expect(Object.values(extraPids('e2e-replay-int')).filter(isAlive)).toEqual([]);
  }, 300_000);
});
