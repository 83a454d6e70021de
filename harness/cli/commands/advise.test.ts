import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadSystemManifests, systemFromScenario } from '../../../simulator/index.ts';
import { loadScenario } from '../../../scenarios/index.ts';
import { programSource } from '../../../manifests/files.ts';
import { currentCandidate } from '../../../advise/evaluate.ts';
import { controllerTolerance } from '../../../kinds/scaler/hpa/tolerance.ts';

/** `ebbflow advise` end to end on the smoke scenario's small grid: the documented advice.json, and the overlay renders the recommendation. */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ebbflow-advise-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const out = join(tmp, 'out');

const job = z.object({ name: z.string(), schedule: z.string().regex(/^\S+( \S+){5}$/), targetSize: z.number().int() });
const policy = z.object({ family: z.enum(['hpa', 'hpa+cronhpa']), target: z.number(), minReplicas: z.number(), maxReplicas: z.number(), stabilization: z.number(), sourceMax: z.number(), ecsNodes: z.number(), scaleUpTolerance: z.number().min(0).max(1).nullable(), cronJobs: z.array(job).optional(), shape: z.string().optional() });
const verdict = z.object({ policy, cost: z.number().nonnegative(), currency: z.string().min(1), sloCoverage: z.number().min(0).max(100), passed: z.boolean() });
const counts = z.object({ candidates: z.number(), explored: z.number(), simulated: z.number() });
const adviceSchema = z.object({ current: verdict, recommended: verdict, savingPercent: z.number(), scenario: z.string().min(1), patch: z.string(), schedule: z.string().optional(), search: z.object({ candidates: z.number(), explored: z.number(), simulated: z.number(), families: z.record(z.string(), counts) }) });

describe('ebbflow advise', () => {
  const r = spawnSync('node', [join(ROOT, 'bin/ebbflow.js'), 'advise', 'scenarios/smoke.yaml', '--grid', 'small', '--workers', '2', '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, EBBFLOW_STATE_DIR: join(tmp, 'state'), EBBFLOW_CACHE_DIR: join(tmp, 'cache') }, timeout: 240_000 });

  it('writes advice.json with current, recommended, the saving and a runnable scenario', () => {
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.status).toBe(0);
    const a = adviceSchema.parse(JSON.parse(readFileSync(join(out, 'advice.json'), 'utf8')));
    expect(a.recommended.passed).toBe(true);
    expect(a.recommended.cost).toBeLessThanOrEqual(a.current.cost);
    expect(a.recommended.sloCoverage).toBeGreaterThanOrEqual(a.current.sloCoverage);
    expect(a.savingPercent).toBeCloseTo(((a.current.cost - a.recommended.cost) / a.current.cost) * 100, 6);
    expect(a.search.explored).toBe(a.search.candidates);
    expect(Object.values(a.search.families).reduce((x, f) => x + f.candidates, 0)).toBe(a.search.candidates);
    expect(a.current.policy.family).toBe('hpa');
    expect(a.search.simulated).toBeLessThan(a.search.candidates);
    expect(readFileSync(join(out, 'advice.md'), 'utf8')).toContain('Saving:');
  }, 240_000);

  it('the kustomize overlay renders the recommended HPA, ElasticWorkload and CronHPA, and the scenario runs it', async () => {
    const a = adviceSchema.parse(JSON.parse(readFileSync(join(out, 'advice.json'), 'utf8')));
    const m = await loadSystemManifests(programSource(join(out, 'patch')));
    const scenario = await loadScenario(join(out, 'scenario.yaml'), { allowOutsideManifests: true });
    const sys = systemFromScenario(scenario, m);
    const { family, scaleUpTolerance, cronJobs, shape: _, ...want } = a.recommended.policy;
    expect(currentCandidate(sys)).toEqual(want);
    expect(sys.hpa.behavior?.scaleUp?.tolerance ?? null).toBe(scaleUpTolerance === null ? null : controllerTolerance(scaleUpTolerance));
    expect(sys.schedule ? 'hpa+cronhpa' : 'hpa').toBe(family);
    if (cronJobs) {
      expect((m.schedule?.spec as { jobs: unknown }).jobs).toEqual(cronJobs);
      expect(readFileSync(join(out, 'advice.md'), 'utf8')).toContain(a.schedule!);
    }
  }, 120_000);
});

/**
 * `--history`: three days of the weekday (what `curve pull` writes: dated UTC rows, one a minute,
 * provenance lines), the third with a 30 % higher peak. The policy fitted to the first two is
 * reported as failing the held-out third, and the command exits 1.
 */
describe('ebbflow advise --history', () => {
  const weekday = readFileSync(join(ROOT, 'scenarios/curves/weekday.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',') as [string, string]);
  const rows = ['# pulled by ebbflow 0.1.0 curve pull (a synthetic week)', 'time,devices'];
  [1, 0.97, 1.3].forEach((f, i) => {
    for (const [t, v] of weekday) if (t !== '24:00') rows.push(`2026-01-0${5 + i}T${t}:00Z,${Math.round(Number(v) * 0.008 * f)}`);
  });
  const csv = join(tmp, 'history.csv');
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const hOut = join(tmp, 'out-history');
  const r = spawnSync('node', [join(ROOT, 'bin/ebbflow.js'), 'advise', 'scenarios/smoke.yaml', '--grid', 'small', '--workers', '2', '--history', csv, '--out', hOut], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, EBBFLOW_STATE_DIR: join(tmp, 'state'), EBBFLOW_CACHE_DIR: join(tmp, 'cache') }, timeout: 240_000 });
  const day = z.object({ day: z.string(), cost: z.number(), sloCoverage: z.number(), passed: z.boolean() });
  const days = z.object({ days: z.array(z.string()), passed: z.boolean(), cost: z.number(), sloCoverage: z.number(), perDay: z.array(day) });
  const schema = adviceSchema.extend({
    current: verdict.extend({ perDay: z.array(day) }),
    recommended: verdict.extend({ perDay: z.array(day) }),
    history: z.object({ file: z.string(), days: z.array(z.string()), left: z.array(z.object({ day: z.string(), why: z.string() })), aggregation: z.string() }),
    holdout: days.extend({ policy: z.literal('recommended'), current: days }),
  });

  it('searches the first two days, aggregated, and reports the third as failing the holdout (exit 1)', () => {
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.stderr).toContain('on 2 day(s), 1 held out');
    expect(r.status, r.stderr).toBe(1);
    const a = schema.parse(JSON.parse(readFileSync(join(hOut, 'advice.json'), 'utf8')));
    expect(a.history.days).toEqual(['2026-01-05', '2026-01-06']);
    expect(a.recommended.perDay.map((d) => d.day)).toEqual(a.history.days);
    expect(a.recommended.perDay.every((d) => d.passed)).toBe(true);
    // Aggregated as advise/README.md says: the mean daily cost, the worst day's coverage.
    expect(a.recommended.cost).toBeCloseTo((a.recommended.perDay[0]!.cost + a.recommended.perDay[1]!.cost) / 2, 9);
    expect(a.recommended.sloCoverage).toBe(Math.min(...a.recommended.perDay.map((d) => d.sloCoverage)));
    expect(a.current.sloCoverage).toBe(Math.min(...a.current.perDay.map((d) => d.sloCoverage)));
    expect(a.holdout.days).toEqual(['2026-01-07']);
    expect(a.holdout.passed).toBe(false);
    expect(a.holdout.perDay[0]!.sloCoverage).toBeLessThan(a.recommended.sloCoverage);
    const md = readFileSync(join(hOut, 'advice.md'), 'utf8');
    expect(md).toContain('Held out: 2026-01-07');
    expect(md).toContain('The advice did not hold');
  }, 240_000);

  it("the runnable scenario replays the history's last day", async () => {
    const scenario = await loadScenario(join(hOut, 'scenario.yaml'), { allowOutsideManifests: true });
    expect(scenario.day).toBe('2026-01-07');
    expect(Math.max(...scenario.curve.values)).toBe(Math.max(...rows.slice(2).filter((l) => l.startsWith('2026-01-07')).map((l) => Number(l.split(',')[1]))));
  });
});
