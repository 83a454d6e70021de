import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { programSource } from '../manifests/files.ts';
import { loadScenario, parseScenario, type Scenario } from '../scenarios/index.ts';
import { loadLint } from './load.ts';
import type { Finding } from './model.ts';
import { failing, RULES, runRules } from './rules.ts';
import { artifactUri } from './sarif.ts';

/**
 * Each rule on a crafted manifest that breaks its policy (it fires, with a counter-example the
 * simulation shows) and on the same manifest fixed (it does not). The manifests are the shipped
 * base's four files in one YAML file, with the HPA (and a CronHPA) changed.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ebbflow-lint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = (f: string) => readFileSync(join(ROOT, 'manifests/base', f), 'utf8');
const OTHERS = ['autoscaling/elasticworkload.yaml', 'workload/deployment.yaml', 'exporter/servicemonitor.yaml'].map(base);

interface Hpa { target?: string; min?: number; max?: number; behavior?: string }
function hpaYaml(h: Hpa): string {
  return `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: nginx
  namespace: default
spec:
  scaleTargetRef:
    apiVersion: autoscaling.alibabacloud.com/v1beta1
    kind: ElasticWorkload
    name: nginx
  minReplicas: ${h.min ?? 1}
  maxReplicas: ${h.max ?? 10}
  metrics:
    - type: Object
      object:
        describedObject: {apiVersion: v1, kind: Service, name: nginx}
        metric: {name: active_devices}
        target:
${h.target ?? '          type: AverageValue\n          averageValue: "909"'}
${h.behavior ?? ''}`;
}

let n = 0;
/** The manifests as one file; returns its path and text. */
function manifests(h: Hpa, extra: string[] = []): { path: string; text: string } {
  const text = [hpaYaml(h), ...OTHERS, ...extra].map((d) => d.trimEnd()).join('\n---\n');
  const path = join(tmp, `m${n++}.yaml`);
  writeFileSync(path, `${text}\n`);
  return { path, text };
}

const weekday = () => loadScenario(join(ROOT, 'scenarios/weekday.yaml'));
async function lint(m: { path: string }, scenario?: Scenario): Promise<Finding[]> {
  const { ctx } = await loadLint({ scenario: scenario ?? (await weekday()), manifests: programSource(m.path) });
  return runRules(ctx);
}
const only = (fs: Finding[], id: string) => fs.filter((f) => f.ruleId === id);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('value-target-replica-independent', () => {
  it('fires on a Value target on active_devices with the walk to a bound as counter-example, at the field', async () => {
    const m = manifests({ target: '          type: Value\n          value: "3k"' });
    const [f, ...more] = only(await lint(m), 'value-target-replica-independent');
    expect(more).toEqual([]);
    expect(f!.severity).toBe('error');
    const c = f!.counterExample;
    // The HPA parked at a bound (10 or 1) at least two replicas away from the need.
    expect([1, 10]).toContain(c.replicas);
    expect(Math.abs(c.replicas - c.needed)).toBeGreaterThanOrEqual(2);
    expect(c.needed).toBe(Math.ceil(c.devices / 1000));
    expect(c.at).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(f!.message).toMatch(/The walk: \d+ → 10 replicas in \d+ rescales/);
    expect(f!.location).toMatchObject({ file: m.path, line: lineOf(m.text, 'type: Value') });
  });
  it('does not fire on the per-replica AverageValue target', async () => {
    expect(only(await lint(manifests({})), 'value-target-replica-independent')).toEqual([]);
  });
});

describe('tolerance-hides-underprovisioning', () => {
  it('fires when averageValue is the full capacity of a replica: the HPA sits in its band while short', async () => {
    const m = manifests({ target: '          type: AverageValue\n          averageValue: "1k"' });
    const [f] = only(await lint(m), 'tolerance-hides-underprovisioning');
    expect(f!.severity).toBe('warning');
    expect(f!.counterExample.needed).toBeGreaterThan(f!.counterExample.replicas);
    expect(f!.message).toContain('Set averageValue to 909');
    expect(f!.location.line).toBe(lineOf(m.text, 'averageValue: "1k"'));
  });
  it('does not fire at capacity / (1 + tolerance)', async () => {
    expect(only(await lint(manifests({})), 'tolerance-hides-underprovisioning')).toEqual([]);
  });
});

describe('stabilization-shorter-than-eci-start', () => {
  // A one-minute dip in the middle of a plateau, with ECI pods that take over two minutes to start.
  const dip = () => parseScenario(
    'name: dip\ncurve: {steps: [["07:00", 5000], ["07:30", 1000], ["07:31", 5000]]}\nwindows: [{start: "07:00", end: "08:00"}]\ndevicesPerReplica: 1000\n' +
      'nodes: {ecs: [{name: ecs, count: 3}], eci: {startLatency: {startSeconds: 120, imagePull: {min: 2, max: 8}, jitterSeconds: 1}}}\n',
    join(tmp, 'dip.yaml'),
  );
  const window = (s: number) => `  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: ${s}\n`;
  it('fires when the HPA gives up pods during a dip shorter than an ECI start and is short when the load returns', async () => {
    const m = manifests({ behavior: window(0) });
    const [f] = only(await lint(m, await dip()), 'stabilization-shorter-than-eci-start');
    expect(f!.severity).toBe('warning');
    const c = f!.counterExample;
    expect(c.ready).toBeLessThan(c.needed);
    expect(c.replicas).toBeGreaterThanOrEqual(c.needed);
    expect(f!.message).toContain('shorter than the 129 s an ECI pod takes to start');
    expect(f!.location.line).toBe(lineOf(m.text, 'stabilizationWindowSeconds: 0'));
  });
  it('does not fire with a window longer than the start', async () => {
    expect(only(await lint(manifests({ behavior: window(300) }), await dip()), 'stabilization-shorter-than-eci-start')).toEqual([]);
  });
});

describe('max-below-peak-need', () => {
  it("fires when maxReplicas is below the curve's peak need, with the peak as counter-example", async () => {
    const m = manifests({ max: 6 });
    const [f] = only(await lint(m), 'max-below-peak-need');
    expect(f!.severity).toBe('error');
    expect(f!.counterExample).toMatchObject({ needed: 10, replicas: 6 });
    expect(f!.location.line).toBe(lineOf(m.text, 'maxReplicas: 6'));
  });
  it('does not fire when maxReplicas covers the peak', async () => {
    expect(only(await lint(manifests({ max: 12 })), 'max-below-peak-need')).toEqual([]);
  });
});

describe('cronhpa-hpa-conflict', () => {
  const cron = (kind: string, jobs: [string, number][]) => `apiVersion: autoscaling.alibabacloud.com/v1beta1
kind: CronHorizontalPodAutoscaler
metadata:
  name: nginx-cron
  namespace: default
spec:
  scaleTargetRef:
    apiVersion: ${kind === 'HorizontalPodAutoscaler' ? 'autoscaling/v2' : 'autoscaling.alibabacloud.com/v1beta1'}
    kind: ${kind}
    name: nginx
  jobs:
${jobs.map(([schedule, size], i) => `    - name: job-${i}\n      schedule: "${schedule}"\n      targetSize: ${size}`).join('\n')}
`;
  it('fires (error) on a CronHPA that scales the ElasticWorkload the HPA scales: the HPA undoes the job', async () => {
    const m = manifests({}, [cron('ElasticWorkload', [['0 0 8 * * *', 8]])]);
    const [f] = only(await lint(m), 'cronhpa-hpa-conflict');
    expect(f!.severity).toBe('error');
    expect(f!.counterExample.at).toBe('08:00:00');
    expect(f!.counterExample.replicas).not.toBe(8);
    // The CronHPA's scaleTargetRef.kind, not the HPA's (which names the ElasticWorkload too).
    const cronAt = lineOf(m.text, 'kind: CronHorizontalPodAutoscaler');
    expect(f!.location.line).toBe(cronAt + lineOf(m.text.split('\n').slice(cronAt).join('\n'), 'kind: ElasticWorkload'));
  });
  it('fires (warning) on a job that raises the HPA floor and never hands it back while the need is lower', async () => {
    const m = manifests({}, [cron('HorizontalPodAutoscaler', [['0 0 8 * * *', 9]])]);
    const [f] = only(await lint(m), 'cronhpa-hpa-conflict');
    expect(f!.severity).toBe('warning');
    expect(f!.counterExample.replicas).toBe(9);
    expect(f!.counterExample.needed).toBeLessThanOrEqual(7);
    expect(f!.location.line).toBe(lineOf(m.text, 'targetSize: 9'));
  });
  it('does not fire on a CronHPA on the HPA that pre-warms the peak and hands the floor back', async () => {
    const m = manifests({}, [cron('HorizontalPodAutoscaler', [['0 0 20 * * *', 10], ['0 30 22 * * *', 1]])]);
    expect(only(await lint(m), 'cronhpa-hpa-conflict')).toEqual([]);
  });
  it("skips a job on a day its excludeDates name (the scenario's day is 2026-01-05)", async () => {
    const m = manifests({}, [`${cron('ElasticWorkload', [['0 0 8 * * *', 8]]).trimEnd()}\n  excludeDates: ["* * * 5 1 *"]\n`]);
    expect(only(await lint(m), 'cronhpa-hpa-conflict')).toEqual([]);
  });
  it('reads schedules in the controller time zone: 08:00 in Asia/Shanghai is 00:00 UTC', async () => {
    const m = manifests({}, [cron('ElasticWorkload', [['0 0 8 * * *', 8]])]);
    const { ctx } = await loadLint({ scenario: await weekday(), manifests: programSource(m.path), timeZone: 'Asia/Shanghai' });
    expect(only(runRules(ctx), 'cronhpa-hpa-conflict')[0]!.counterExample.at).toBe('00:00:00');
  });
});

describe('the shipped set-up', () => {
  it('base on the weekday: only the tolerance warning, so the default --fail-on error passes', async () => {
    const { ctx, notes } = await loadLint({ scenario: await weekday() });
    const fs = runRules(ctx);
    expect(fs.map((f) => f.ruleId)).toEqual(['tolerance-hides-underprovisioning']);
    expect(fs[0]!.location).toMatchObject({ file: 'manifests/base/autoscaling/hpa.yaml', line: lineOf(base('autoscaling/hpa.yaml'), 'averageValue') });
    expect(failing(fs, 'error')).toBe(false);
    expect(failing(fs, 'warning')).toBe(true);
    expect(notes).toEqual([]);
  });

  it("drops the scenario's HPA overrides, with a note: the manifests are linted", async () => {
    const smoke = await loadScenario(join(ROOT, 'scenarios/smoke.yaml'));
    const { ctx, notes } = await loadLint({ scenario: smoke, manifests: programSource(manifests({ target: '          type: Value\n          value: "3k"' }).path) });
    expect(notes.join('\n')).toMatch(/hpa\.minReplicas, hpa\.maxReplicas, hpa\.target, elasticWorkload\.sourceMax ignored/);
    expect(ctx.system.hpa.metrics[0]).toEqual({ type: 'Value', target: 3000 });
  });

  it('overlays/original-2020 yields the Value-walk finding with its counter-example, at its own patch', async () => {
    const overlay = join(ROOT, 'manifests/overlays/original-2020');
    const { ctx } = await loadLint({ scenario: await weekday(), manifests: programSource(overlay, ROOT), cwd: ROOT });
    const [f] = only(runRules(ctx), 'value-target-replica-independent');
    expect(f).toBeDefined();
    expect(f!.counterExample).toMatchObject({ replicas: 10 });
    expect(f!.counterExample.needed).toBeLessThanOrEqual(8);
    const k = readFileSync(join(overlay, 'kustomization.yaml'), 'utf8');
    expect(f!.location).toMatchObject({ file: 'manifests/overlays/original-2020/kustomization.yaml', line: lineOf(k, 'path: /spec/metrics/0/object/target') });
  }, 120_000);

  it('SARIF URIs: relative paths as written, with forward slashes; a path outside the directory as a file URI', () => {
    expect(artifactUri('manifests/base/autoscaling/hpa.yaml')).toBe('manifests/base/autoscaling/hpa.yaml');
    expect(artifactUri('deploy\\prod\\hpa.yaml')).toBe('deploy/prod/hpa.yaml');
    expect(artifactUri('/srv/team deploy/hpa.yaml')).toBe('file:///srv/team%20deploy/hpa.yaml');
  });

  it('every rule has a distinct id and says what to change', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) expect(r.help.length, r.id).toBeGreaterThan(80);
  });
});
