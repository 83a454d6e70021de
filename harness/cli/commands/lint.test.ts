import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** `ebbflow lint` end to end: exit codes, the three formats, SARIF 2.1.0's shape for code scanning. */

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ebbflow-lint-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const lintIn = (cwd: string, ...args: string[]) => spawnSync('node', [join(ROOT, 'bin/ebbflow.js'), 'lint', ...args], { cwd, encoding: 'utf8', env: { ...process.env, EBBFLOW_STATE_DIR: join(tmp, 'state'), EBBFLOW_CACHE_DIR: join(tmp, 'cache') } });
const lint = (...args: string[]) => lintIn(ROOT, ...args);

// What GitHub code scanning needs of a SARIF 2.1.0 upload (the fields this command writes).
const level = z.enum(['error', 'warning', 'note', 'none']);
const text = z.object({ text: z.string().min(1) });
const sarifSchema = z.object({
  $schema: z.string().url(),
  version: z.literal('2.1.0'),
  runs: z.array(z.object({
    tool: z.object({
      driver: z.object({
        name: z.string().min(1),
        version: z.string().min(1),
        rules: z.array(z.object({ id: z.string().regex(/^[a-z0-9-]+$/), name: z.string(), shortDescription: text, fullDescription: text, help: text, defaultConfiguration: z.object({ level }) })).min(1),
      }),
    }),
    results: z.array(z.object({
      ruleId: z.string(),
      ruleIndex: z.number().int().nonnegative(),
      level,
      message: text,
      locations: z.array(z.object({
        physicalLocation: z.object({
          artifactLocation: z.object({ uri: z.string().min(1).refine((u) => !u.startsWith('/') && !u.includes('\\'), 'relative, with forward slashes'), uriBaseId: z.literal('%SRCROOT%') }),
          region: z.object({ startLine: z.number().int().positive(), startColumn: z.number().int().positive().optional() }).optional(),
        }),
      })).length(1),
      properties: z.object({ counterExample: z.object({ t: z.number(), at: z.string().regex(/^\d\d:\d\d:\d\d$/), devices: z.number(), needed: z.number().int(), replicas: z.number().int() }) }),
    })),
  })).length(1),
});

const valueTarget = () => {
  // The shipped base's files in one YAML, with the original set-up's Value target.
  const hpa = readFileSync(join(ROOT, 'manifests/base/autoscaling/hpa.yaml'), 'utf8').replace(/type: AverageValue\n(\s+)averageValue: "1k"/, 'type: Value\n$1value: "3k"');
  const others = ['autoscaling/elasticworkload.yaml', 'workload/deployment.yaml', 'exporter/servicemonitor.yaml'].map((f) => readFileSync(join(ROOT, 'manifests/base', f), 'utf8'));
  const file = join(tmp, 'value.yaml');
  writeFileSync(file, [hpa, ...others].join('\n---\n'));
  return file;
};

describe('ebbflow lint', () => {
  it('the shipped base: a warning, exit 0 under the default --fail-on error and 1 under --fail-on warning', () => {
    const r = lint();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^manifests\/base\/autoscaling\/hpa\.yaml:\d+:\d+: warning tolerance-hides-underprovisioning: /m);
    expect(r.stdout).toMatch(/counter-example: at \d\d:\d\d:\d\d [\d,]+ devices, need \d+, the HPA held \d+/);
    expect(lint('--fail-on', 'warning').status).toBe(1);
  }, 60_000);

  it('a Value target: exit 1, and SARIF 2.1.0 with the rules and a located result', () => {
    // Run where the manifests are, as CI runs it at the repository root: the URI is relative to it.
    const r = lintIn(tmp, '--manifests', valueTarget(), '--format', 'sarif');
    expect(r.status, r.stderr).toBe(1);
    const sarif = sarifSchema.parse(JSON.parse(r.stdout));
    const run = sarif.runs[0]!;
    const walk = run.results.find((x) => x.ruleId === 'value-target-replica-independent')!;
    expect(walk.level).toBe('error');
    expect(walk.locations[0]!.physicalLocation.artifactLocation.uri).toBe('value.yaml');
    expect(run.tool.driver.rules[walk.ruleIndex]!.id).toBe(walk.ruleId);
    expect(run.tool.driver.rules.map((x) => x.id)).toContain('cronhpa-hpa-conflict');
    // The line of `type: Value` in the file linted.
    const lines = readFileSync(valueTarget(), 'utf8').split('\n');
    expect(walk.locations[0]!.physicalLocation.region!.startLine).toBe(lines.findIndex((l) => /^\s+type: Value$/.test(l)) + 1);
    expect([1, 10]).toContain(walk.properties.counterExample.replicas);
  }, 60_000);

  it('json: one document with the findings and the rules', () => {
    const r = lint('--format', 'json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { scenario: string; manifests: string; findings: { ruleId: string; counterExample: { needed: number } }[]; rules: { id: string }[] };
    expect(doc).toMatchObject({ scenario: 'weekday', manifests: 'manifests/base' });
    expect(doc.findings.map((f) => f.ruleId)).toEqual(['tolerance-hides-underprovisioning']);
    expect(doc.rules.length).toBe(5);
  }, 60_000);

  it('bad input is exit 2: an unknown format, an unknown time zone, a missing scenario', () => {
    expect(lint('--format', 'xml').status).toBe(2);
    const tz = lint('--time-zone', 'Mars/Olympus');
    expect(tz.status).toBe(2);
    expect(tz.stderr).toContain('Mars/Olympus');
    expect(lint('--scenario', 'scenarios/nowhere.yaml').status).toBe(2);
  }, 60_000);
});
