import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
