import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { UserError } from '../core/errors.ts';
import { SCENARIO_BOUNDS as B } from './bounds.ts';
import { parseScenario, type Scenario } from './format.ts';

/**
 * The scenario parser meets files from pull requests: random, mutated and structurally plausible
 * scenarios end in a Scenario or a UserError, quickly; whatever it accepts satisfies every
 * cross-field rule and bound, so no command downstream sees min above max or an unbounded run.
 */

const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ebbflow-scn-prop-'));
mkdirSync(join(dir, 'curves'));
writeFileSync(join(dir, 'curves', 'c.csv'), 'time,devices\n00:00,100\n12:00,900\n23:59,100\n');
const FILE = join(dir, 's.yaml');
const BASES = [readFileSync(join(here, 'tiny.yaml'), 'utf8'), readFileSync(join(here, 'smoke.yaml'), 'utf8').replace('curves/weekday.csv', 'curves/c.csv')];
const BITS = [':', ' ', '-', '[', ']', '{', '}', ',', '"', "'", '&a', '*a', '!!binary', '\n', '  ', '#', '0', '-1', '1e9', '.nan', '.inf', '24:00', '25:00', '2026-02-30', 'null', '~', '<<: *a', '../../etc/passwd'];

const edit = fc.oneof(
  fc.record({ at: fc.nat(), del: fc.constant(0), text: fc.constantFrom(...BITS) }),
  fc.record({ at: fc.nat(), del: fc.integer({ min: 1, max: 10 }), text: fc.constant('') }),
);
const mutated = fc.tuple(fc.constantFrom(...BASES), fc.array(edit, { minLength: 1, maxLength: 5 })).map(([base, edits]) =>
  edits.reduce((s, e) => {
    const at = e.at % (s.length + 1);
    return s.slice(0, at) + e.text + s.slice(at + e.del);
  }, base),
);

const num = fc.constantFrom(0, -1, 0.5, 1, 2, 3, 15, 60, 600, 601, 2000, 2001, 1e6, 1e12, Number.NaN, Infinity, 0.01);
const clock = fc.constantFrom('00:00', '06:30', '07:00', '07:10', '08:00', '23:59', '24:00', '24:01', '7am');
const plausible = fc
  .record({
    name: fc.constantFrom('t', 'ok-name', 'Bad Name', ''),
    curve: fc.oneof(
      fc.record({ const: num }),
      fc.record({ steps: fc.array(fc.tuple(clock, num), { minLength: 1, maxLength: 4 }) }),
      fc.record({ file: fc.constantFrom('curves/c.csv', '../c.csv', '/etc/passwd', 'missing.csv'), day: fc.option(fc.constantFrom('2026-01-05', '2026-02-30'), { nil: undefined }) }),
    ),
    windows: fc.array(fc.record({ start: clock, end: clock }), { minLength: 0, maxLength: 3 }),
    compression: num,
    sampleEverySeconds: num,
    day: fc.constantFrom('2026-01-05', '2024-02-29', '2026-02-29', '2026-13-01'),
    hpa: fc.record({ minReplicas: num, maxReplicas: num }, { requiredKeys: [] }),
    elasticWorkload: fc.record({ sourceMin: num, sourceMax: num }, { requiredKeys: [] }),
    pipeline: fc.record({ exporterIntervalSeconds: num, slsWindowSeconds: num }, { requiredKeys: [] }),
    nodes: fc.record({ ecs: fc.array(fc.record({ name: fc.constantFrom('a', 'b'), count: num }), { maxLength: 3 }) }, { requiredKeys: [] }),
  }, { requiredKeys: ['name', 'curve', 'windows'] })
  .map((o) => stringify(o));
const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.anything().map((v) => String(stringify(v) ?? "")), mutated, plausible, fc.constantFrom(...BASES));

async function parseOrError(text: string): Promise<Scenario | UserError> {
  const t0 = performance.now();
  try {
    return await parseScenario(text, FILE);
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`${(e as Error).name} for ${JSON.stringify(text)}: ${(e as Error).message}`);
    return e;
  } finally {
    // A hang guard, not a speed target: generous enough for a loaded CI machine.
    expect(performance.now() - t0).toBeLessThan(10_000);
  }
}

function expectSane(s: Scenario): void {
  const inside = (v: number, b: { min?: number; max: number }) => v >= (b.min ?? -Infinity) && v <= b.max;
  expect(inside(s.compression, B.compression) && inside(s.sampleEverySeconds, B.sampleEverySeconds)).toBe(true);
  s.windows.forEach((w, i) => {
    expect(w.start).toBeLessThan(w.end);
    expect(w.end).toBeLessThanOrEqual(86_400);
    if (i > 0) expect(w.start).toBeGreaterThanOrEqual(s.windows[i - 1]!.end);
  });
  if (s.hpa.minReplicas !== undefined && s.hpa.maxReplicas !== undefined) expect(s.hpa.minReplicas).toBeLessThanOrEqual(s.hpa.maxReplicas);
  for (const r of [s.hpa.minReplicas, s.hpa.maxReplicas, s.elasticWorkload.sourceMin, s.elasticWorkload.sourceMax]) if (r !== undefined) expect(inside(r, B.replicas)).toBe(true);
  if (s.elasticWorkload.sourceMin !== undefined && s.elasticWorkload.sourceMax !== undefined) expect(s.elasticWorkload.sourceMin).toBeLessThanOrEqual(s.elasticWorkload.sourceMax);
  expect((s.nodes?.ecs ?? []).reduce((a, p) => a + p.count, 0)).toBeLessThanOrEqual(B.ecsNodes.max);
  expect(Number.isFinite(s.dayStartMs)).toBe(true);
  for (const v of s.curve.values) expect(Number.isFinite(v) && v >= 0 && v <= B.devices.max).toBe(true);
}

describe('scenario parser (property)', () => {
  it('random, mutated and plausible scenarios end in a sane Scenario or a UserError', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const r = await parseOrError(text);
        if (r instanceof UserError) {
          expect(r.message).toContain('s.yaml');
          expect(r.message).not.toContain('root:');
          return;
        }
        accepted++;
        expectSane(r);
      }),
      { numRuns: 120 },
    );
    // The generators must also reach the accepting side, or the invariants above were never checked.
    expect(accepted).toBeGreaterThan(5);
  }, 120_000);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
