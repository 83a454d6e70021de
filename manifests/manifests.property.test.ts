import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.ts';
import { isInsideDir } from '../core/files.ts';
import { SCENARIO_BOUNDS as B } from '../scenarios/bounds.ts';
import { parseScenario, type Scenario } from '../scenarios/index.ts';
import { simulate, systemFromScenario } from '../simulator/index.ts';
import { loadSystemManifests } from '../simulator/system.ts';
import { ManifestReader, manifestsSource } from './files.ts';
import { kustomizeClosure } from './kustomize-closure.ts';

/**
 * A team's manifests meet hostile and careless input (issue 21, "a fuzz suite that keeps it so"):
 * HPA and ElasticWorkload documents with random values and shapes end in a system inside the
 * scenario bounds — which then simulates in bounded time — or in a UserError (exit 2), quickly,
 * never an internal error; random kustomizations end in a closure of files inside the allowed
 * directories or a UserError, and nothing outside is read.
 */

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ebf-mprop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Everything of the guide but its HPA and ElasticWorkload, which the generators supply.
const REST = YAML.parseAllDocuments(readFileSync(join(TESTDATA, 'guide-v2beta1.yaml'), 'utf8'))
  .map((d) => d.toJS() as { kind: string })
  .filter((o) => o.kind !== 'HorizontalPodAutoscaler' && o.kind !== 'ElasticWorkload');

const hostile = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 10, -1, -5, 0.5, 1.5, 1800, 1801, 3600, 3601, 2000, 2001, 100_000, 2_000_000_000, 1e308, Number.MAX_SAFE_INTEGER, Number.NaN, Infinity, -Infinity),
  fc.constantFrom('0', '-800', '1e308', '800Ei', '1m', '3k', '500', '', 'abc', '0x10', ' 5 ', '1e-400', '.5', '+3', '100m', 'null'),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.constant([1, 2]),
  fc.constant({ a: 1 }),
  fc.boolean(),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const clean = <T extends object>(o: T) => JSON.parse(JSON.stringify(o, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))) as T;

const target = fc.record({ type: fc.constantFrom('Value', 'AverageValue', 'Utilization', 'Bogus'), value: maybe(hostile), averageValue: maybe(hostile), averageUtilization: maybe(hostile) }, { requiredKeys: ['type'] });
const metric = fc.oneof(
  fc.record({ type: fc.constant('Object'), object: fc.record({ describedObject: fc.constant({ apiVersion: 'v1', kind: 'Service', name: 'web' }), metric: fc.constant({ name: 'active_devices' }), target }) }),
  fc.record({ type: fc.constantFrom('Pods', 'External', 'Resource', 'Nope'), pods: fc.record({ target }) }),
  hostile,
);
const rules = fc.oneof(
  fc.record({
    stabilizationWindowSeconds: maybe(hostile),
    selectPolicy: maybe(fc.oneof(fc.constantFrom('Max', 'Min', 'Disabled', 'Sometimes'), hostile)),
    policies: maybe(fc.oneof(fc.array(fc.record({ type: fc.constantFrom('Pods', 'Percent', 'Other'), value: hostile, periodSeconds: hostile }), { maxLength: 20 }), hostile)),
    tolerance: maybe(hostile),
  }, { requiredKeys: [] }),
  hostile,
);
const hpaSpec = fc.oneof(
  fc.record({
    scaleTargetRef: fc.constantFrom({ apiVersion: 'autoscaling.alibabacloud.com/v1beta1', kind: 'ElasticWorkload', name: 'web-ew' }, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }),
    minReplicas: maybe(hostile),
    maxReplicas: hostile,
    metrics: fc.oneof(fc.array(metric, { maxLength: 20 }), hostile),
    behavior: maybe(fc.oneof(fc.record({ scaleUp: maybe(rules), scaleDown: maybe(rules) }, { requiredKeys: [] }), hostile)),
  }, { requiredKeys: ['scaleTargetRef', 'maxReplicas'] }),
  hostile,
);
const unit = fc.record({ name: fc.constantFrom('reserved', 'spot', 'Bad Name'), min: maybe(hostile), max: maybe(hostile), nodeSelector: fc.constant({ type: 'virtual-kubelet' }) }, { requiredKeys: ['name'] });
const ewSpec = fc.oneof(
  fc.record({
    sourceTarget: fc.oneof(fc.record({ name: fc.constant('web'), kind: fc.constant('Deployment'), apiVersion: fc.constant('apps/v1'), min: maybe(hostile), max: maybe(hostile) }), hostile),
    replicas: maybe(hostile),
    elasticUnit: maybe(fc.oneof(fc.array(unit, { maxLength: 20 }), hostile)),
  }, { requiredKeys: ['sourceTarget'] }),
  hostile,
);
// Mostly valid, now and then one hostile value: the accepting side must be reached too.
const or = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: hostile, weight: 1 });
const plausibleRules = fc.record({
  stabilizationWindowSeconds: maybe(or(fc.integer({ min: 0, max: 3600 }))),
  selectPolicy: maybe(or(fc.constantFrom('Max', 'Min', 'Disabled'))),
  policies: maybe(fc.array(fc.record({ type: or(fc.constantFrom('Pods', 'Percent')), value: or(fc.integer({ min: 1, max: 200 })), periodSeconds: or(fc.integer({ min: 1, max: 1800 })) }), { maxLength: 3 })),
  tolerance: maybe(or(fc.constantFrom('0', '50m', '0.1', 1))),
}, { requiredKeys: [] });
const plausibleHpa = fc.record({
  scaleTargetRef: fc.constantFrom({ apiVersion: 'autoscaling.alibabacloud.com/v1beta1', kind: 'ElasticWorkload', name: 'web-ew' }, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }),
  minReplicas: maybe(or(fc.integer({ min: 1, max: 5 }))),
  maxReplicas: or(fc.integer({ min: 5, max: 2000 })),
  metrics: fc.array(fc.record({ type: fc.constant('Object'), object: fc.record({ describedObject: fc.constant({ apiVersion: 'v1', kind: 'Service', name: 'web' }), metric: fc.constant({ name: 'active_devices' }), target: fc.oneof(fc.record({ type: fc.constant('Value'), value: or(fc.constantFrom('3k', '100', '1m', '1e12', 2500)) }), fc.record({ type: fc.constant('AverageValue'), averageValue: or(fc.constantFrom('500', '1', '0.5', '1m', '800')) })) }) }), { minLength: 1, maxLength: 3 }),
  behavior: maybe(fc.record({ scaleUp: maybe(plausibleRules), scaleDown: maybe(plausibleRules) }, { requiredKeys: [] })),
});
const plausibleEw = fc.record({
  sourceTarget: fc.record({ name: fc.constant('web'), kind: fc.constant('Deployment'), apiVersion: fc.constant('apps/v1'), min: maybe(or(fc.integer({ min: 0, max: 2 }))), max: maybe(or(fc.integer({ min: 2, max: 50 }))) }),
  replicas: maybe(or(fc.integer({ min: 0, max: 10 }))),
  elasticUnit: fc.array(fc.record({ name: fc.constantFrom('reserved', 'spot'), min: maybe(or(fc.integer({ min: 0, max: 1 }))), max: maybe(or(fc.integer({ min: 1, max: 2000 }))), nodeSelector: fc.constant({ type: 'virtual-kubelet' }) }), { maxLength: 3 }),
});
const manifests = fc.record({ hpa: fc.oneof(hpaSpec, plausibleHpa), ew: fc.oneof(ewSpec, plausibleEw), apiVersion: fc.constantFrom('autoscaling/v2', 'autoscaling/v2', 'autoscaling/v2beta2', 'autoscaling/v2beta1') }).map(({ hpa, ew, apiVersion }) =>
  [
    ...REST,
    { apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec: hpa },
    { apiVersion: 'autoscaling.alibabacloud.com/v1beta1', kind: 'ElasticWorkload', metadata: { name: 'web-ew', namespace: 'default' }, spec: ew },
  ].map((d) => YAML.stringify(clean(d))).join('---\n'),
);

let scenario: Scenario | undefined;
let n = 0;

/** Loads, then simulates an hour of what was accepted: a system or a UserError, in bounded time. */
async function outcome(text: string): Promise<'accepted' | 'refused'> {
  scenario ??= await parseScenario('name: p\ncurve: {steps: [["07:00", 1000], ["07:20", 50000], ["07:40", 10]]}\nwindows: [{start: "07:00", end: "08:00"}]\n', join(tmp, 's.yaml'));
  const file = join(tmp, `m${n++}.yaml`);
  writeFileSync(file, text);
  const t0 = performance.now();
  try {
    const sys = systemFromScenario(scenario, await loadSystemManifests(file));
    expect(sys.hpa.maxReplicas).toBeLessThanOrEqual(B.replicas.max);
    expect(sys.hpa.minReplicas).toBeGreaterThanOrEqual(1);
    for (const m of sys.hpa.metrics) expect(m.target > 0 && m.target <= B.metricTarget.max).toBe(true);
    const { summary } = simulate(scenario, sys);
    expect(summary.peakReplicas).toBeLessThanOrEqual(B.replicas.max);
    return 'accepted';
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`${(e as Error).name} (not a UserError) for:\n${text}\n${(e as Error).stack}`);
    expect(e.message.length).toBeGreaterThan(0);
    return 'refused';
  } finally {
    // A hang guard, not a speed target: generous enough for a loaded CI machine.
    expect(performance.now() - t0).toBeLessThan(5000);
  }
}

describe('a team\'s manifests (property)', () => {
  it('random and hostile HPA and ElasticWorkload documents end in a bounded system or a UserError', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(fc.asyncProperty(manifests, async (text) => void seen[await outcome(text)]++), { numRuns: 300 });
    // Both sides must be reached, or the invariants of one were never checked.
    expect(seen.accepted).toBeGreaterThan(3);
    expect(seen.refused).toBeGreaterThan(100);
  }, 180_000);

  it('random kustomizations end in files inside the allowed directories or a UserError, reading nothing outside', () => {
    const root = join(tmp, 'repo');
    const scn = join(root, 'ebbflow');
    mkdirSync(join(scn, 'k', 'sub'), { recursive: true });
    mkdirSync(join(tmp, 'outside'));
    writeFileSync(join(tmp, 'outside', 'kustomization.yaml'), 'resources: [secret.yaml]\n');
    writeFileSync(join(tmp, 'outside', 'secret.yaml'), 'kind: Secret\nmetadata: {name: s}\n');
    writeFileSync(join(scn, 'k', 'hpa.yaml'), 'kind: HorizontalPodAutoscaler\nmetadata: {name: h}\n');
    writeFileSync(join(scn, 'k', 'sub', 'kustomization.yaml'), 'resources: [../hpa.yaml]\n');
    execFileSync('mkfifo', [join(scn, 'k', 'fifo.yaml')]);
    symlinkSync(join(tmp, 'outside'), join(scn, 'k', 'out-link'));
    symlinkSync(join(scn, 'k', 'loop'), join(scn, 'k', 'loop'));
    const ref = fc.oneof(
      fc.constantFrom('hpa.yaml', 'sub', 'fifo.yaml', 'out-link', 'loop', 'missing.yaml', '../../../outside', '/etc/passwd', '/dev/zero', '/proc/self/environ', '.', '..', 'http://127.0.0.1:1/x.yaml', 'github.com/o/r//b?ref=v1', 'git@h:o/r', 'key=hpa.yaml', 'key=/etc/passwd', 'a: b\nc: d\n', ''),
      hostile,
      fc.string({ maxLength: 20 }),
    );
    const field = fc.constantFrom('resources', 'bases', 'components', 'crds', 'configurations', 'patchesStrategicMerge', 'generators', 'transformers', 'validators');
    const kust = fc.oneof(
      fc.dictionary(field, fc.oneof(fc.array(ref, { maxLength: 4 }), ref), { maxKeys: 4 }),
      fc.record({ patches: fc.array(fc.record({ path: ref }), { maxLength: 3 }), configMapGenerator: fc.array(fc.record({ name: fc.constant('c'), files: fc.array(ref, { maxLength: 3 }), envs: fc.array(ref, { maxLength: 2 }) }), { maxLength: 2 }) }, { requiredKeys: [] }),
      hostile,
      fc.string({ maxLength: 40 }),
    );
    let ok = 0;
    fc.assert(fc.property(kust, fc.boolean(), (k, allowRemote) => {
      writeFileSync(join(scn, 'k', 'kustomization.yaml'), typeof k === 'string' ? k : YAML.stringify(k));
      const source = manifestsSource({ file: join(scn, 's.yaml'), manifests: 'k', manifestGrants: { allowRemote } }, undefined, root)!;
      const t0 = performance.now();
      try {
        const files = kustomizeClosure(join(scn, 'k'), new ManifestReader(source));
        for (const f of files) expect(isInsideDir(root, f.file), f.file).toBe(true);
        ok++;
      } catch (e) {
        if (!(e instanceof UserError)) throw new Error(`${(e as Error).name} (not a UserError): ${(e as Error).stack}`);
        expect(e.message).not.toContain('kind: Secret');
      } finally {
        expect(performance.now() - t0).toBeLessThan(2000);
      }
    }), { numRuns: 300 });
    expect(ok).toBeGreaterThan(10);
  }, 60_000);
});
