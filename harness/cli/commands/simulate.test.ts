import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `ebbflow simulate` reads the baseline a scenario names, as `replay` does. */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ebbflow-sim-baseline-'));
const simulate = (...args: string[]) => spawnSync('node', ['bin/ebbflow.js', 'simulate', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, EBBFLOW_STATE_DIR: join(tmp, 'state'), EBBFLOW_CACHE_DIR: join(tmp, 'cache') } });
const tiny = readFileSync(join(ROOT, 'scenarios/tiny.yaml'), 'utf8');

beforeAll(() => {
  // The baseline run: the tiny scenario as shipped.
  writeFileSync(join(tmp, 'tiny.yaml'), tiny);
  const r = simulate(join(tmp, 'tiny.yaml'), '--out', join(tmp, 'out-main'));
  expect(r.status, r.stderr).toBe(0);
  copyFileSync(join(tmp, 'out-main/timeline.jsonl'), join(tmp, 'main.jsonl'));
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('simulate and a scenario baseline expectation', () => {
  it("compares against the expectation's file (relative to the scenario) without --baseline", () => {
    writeFileSync(join(tmp, 'with-baseline.yaml'), `${tiny.trimEnd()}\n  - {type: baseline, file: main.jsonl, toleranceReplicas: 0, minAgreementPercent: 100}\n`);
    const r = simulate(join(tmp, 'with-baseline.yaml'), '--out', join(tmp, 'out-pr'));
    expect(r.stdout).toMatch(/^PASS {2}baseline\(ew\.replicas ±0, ≥ 100%\): 100\.0% of samples within ±0 of the baseline/m);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // The before/after table of summary.md comes with it.
    expect(readFileSync(join(tmp, 'out-pr/summary.md'), 'utf8')).toContain('**Before / after** (baseline: tiny, simulator; this run: simulator)');
  }, 60_000);

  it('a baseline file that does not exist is exit 2 naming it', () => {
    writeFileSync(join(tmp, 'missing-baseline.yaml'), `${tiny.trimEnd()}\n  - {type: baseline, file: nowhere.jsonl}\n`);
    const r = simulate(join(tmp, 'missing-baseline.yaml'), '--out', join(tmp, 'out-missing'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nowhere.jsonl');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('simulate -o json', () => {
  it('prints one JSON document with the results, the summary and the files, and keeps the exit code', () => {
    const r = simulate(join(ROOT, 'scenarios/tiny-fail.yaml'), '--out', join(tmp, 'out-json'), '-o', 'json');
    expect(r.status, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as { scenario: string; passed: boolean; results: { name: string; passed: boolean }[]; summary: { peakReplicas: number }; files: { results: string } };
    expect(doc.scenario).toBe('tiny-fail');
    expect(doc.passed).toBe(false);
    expect(doc.results.some((x) => !x.passed)).toBe(true);
    expect(doc.summary.peakReplicas).toBeGreaterThan(0);
    // The same results as results.json, which the run wrote too.
    expect((JSON.parse(readFileSync(doc.files.results, 'utf8')) as { results: unknown }).results).toEqual(doc.results);
    expect(r.stdout).not.toMatch(/\d\.\d{13,}/);
  }, 60_000);

  it('refuses a format it does not know with exit 2', () => {
    const r = simulate(join(ROOT, 'scenarios/tiny.yaml'), '--out', join(tmp, 'out-yaml'), '-o', 'yaml');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Allowed choices are text, json');
  }, 60_000);
});

describe('simulate --days 7', () => {
  it('writes a report of at most 2 MB (charts downsampled) and keeps every sample in the timeline', () => {
    const out = join(tmp, 'out-week');
    const r = simulate(join(ROOT, 'scenarios/smoke.yaml'), '--days', '7', '--out', out);
    // The smoke's expectations are for its windows: over whole days one may fail (1), the report is written either way.
    expect([0, 1], r.stderr).toContain(r.status);
    expect(statSync(join(out, 'report.html')).size).toBeLessThanOrEqual(2 * 1024 * 1024);
    const samples = readFileSync(join(out, 'timeline.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"kind":"sample"')).length;
    expect(samples).toBeGreaterThan(7 * 24 * 60);
  }, 120_000);
});
