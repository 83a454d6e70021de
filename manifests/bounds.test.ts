import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.ts';
import { parseScenario } from '../scenarios/index.ts';
import { simulate, systemFromScenario } from '../simulator/index.ts';
import { loadSystemManifests } from '../simulator/system.ts';
import { loadHarnessManifests } from './index.ts';

/**
 * Values a team's manifests bring are held to the scenario's bounds (issue 21, "values in a team's
 * manifests skip the scenario bounds"): an HPA with maxReplicas 2000000000 and averageValue "1m"
 * ran 40 s and crashed out of memory; minReplicas -5, targets "0", "-800", "1e308", "800Ei" and a
 * behavior periodSeconds 0 passed silently. Each is now one UserError naming the manifest's file,
 * line and field and the allowed range, before any work.
 */

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const GUIDE = readFileSync(join(TESTDATA, 'guide-v2beta1.yaml'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'ebf-mbounds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The guide file with one edit (a v2 HPA in place of the v2beta1 one, so each field is written as v2 reads it). */
const V2_HPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: autoscaling.alibabacloud.com/v1beta1, kind: ElasticWorkload, name: web-ew}
  minReplicas: 1
  maxReplicas: 10
  metrics:
    - type: Object
      object:
        describedObject: {apiVersion: v1, kind: Service, name: web}
        metric: {name: active_devices}
        target: {type: AverageValue, averageValue: "500"}
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 0
      policies: [{type: Pods, value: 4, periodSeconds: 15}]
`;
const guideV2 = GUIDE.replace(/apiVersion: autoscaling\/v2beta1[\s\S]*?averageValue: "500"\n/, V2_HPA);

let n = 0;
function write(text: string): string {
  const f = join(tmp, `m${n++}.yaml`);
  writeFileSync(f, text);
  return f;
}
/** The 1-based line of the first line of `text` that contains `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

async function refusal(path: string): Promise<UserError> {
  const t0 = performance.now();
  const e = await loadHarnessManifests({ path }).then(() => undefined, (x: unknown) => x);
  expect(performance.now() - t0).toBeLessThan(5000);
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

describe('manifest values are held to the scenario bounds, with file, line and field', () => {
  it('the fixtures and the guide as v2 are inside every bound', async () => {
    expect((await loadHarnessManifests({ path: write(guideV2) })).hpa.metadata.name).toBe('web');
  });

  const cases: [string, string, string, RegExp][] = [
    ['maxReplicas 2000000000', 'maxReplicas: 10', 'maxReplicas: 2000000000', /HorizontalPodAutoscaler default\/web: spec\.maxReplicas: must be an integer between 1 and 2000 replicas, got 2000000000/],
    ['minReplicas -5', 'minReplicas: 1', 'minReplicas: -5', /spec\.minReplicas: must be an integer between 1 and 2000 replicas, got -5/],
    ['minReplicas above maxReplicas', 'minReplicas: 1', 'minReplicas: 11', /spec\.minReplicas: 11 is above maxReplicas 10/],
    ['averageValue "0"', 'averageValue: "500"', 'averageValue: "0"', /spec\.metrics\[0\]\.object\.target\.averageValue: must be above 0 and at most 1000000000000, got "0"/],
    ['averageValue "-800"', 'averageValue: "500"', 'averageValue: "-800"', /target\.averageValue: must be above 0 .*got "-800"/],
    ['averageValue "1e308"', 'averageValue: "500"', 'averageValue: "1e308"', /target\.averageValue: must be above 0 .*got "1e308"/],
    ['averageValue "800Ei"', 'averageValue: "500"', 'averageValue: "800Ei"', /target\.averageValue: must be above 0 .*got "800Ei"/],
    ['averageValue not a quantity', 'averageValue: "500"', 'averageValue: "lots"', /target\.averageValue: must be a Kubernetes quantity above 0/],
    ['an AverageValue target without averageValue', 'averageValue: "500"', 'value: "500"', /target\.averageValue: is missing \(target type AverageValue\)/],
    ['behavior periodSeconds 0', 'periodSeconds: 15', 'periodSeconds: 0', /spec\.behavior\.scaleUp\.policies\[0\]\.periodSeconds: must be an integer between 1 and 1800 s, got 0/],
    ['policy value 0', 'value: 4,', 'value: 0,', /policies\[0\]\.value: must be an integer between 1 and 100000 pods or percent, got 0/],
    ['stabilization window of a day', 'stabilizationWindowSeconds: 0', 'stabilizationWindowSeconds: 86400', /scaleUp\.stabilizationWindowSeconds: must be an integer between 0 and 3600 virtual s, got 86400/],
    ['selectPolicy Sometimes', 'stabilizationWindowSeconds: 0', 'selectPolicy: Sometimes', /scaleUp\.selectPolicy: must be one of Max, Min, Disabled, got "Sometimes"/],
    ['tolerance 2', 'stabilizationWindowSeconds: 0', 'tolerance: "2"', /scaleUp\.tolerance: must be between 0 and 1, got "2"/],
    ['ElasticWorkload max 1e9', 'min: 0, max: 3}', 'min: 0, max: 1000000000}', /ElasticWorkload default\/web-ew: spec\.sourceTarget\.max: must be an integer between 0 and 2000 replicas/],
    ['ElasticWorkload unit max -1', 'max: 2\n', 'max: -1\n', /ElasticWorkload default\/web-ew: spec\.elasticUnit\[0\]\.max: must be an integer between 0 and 2000 replicas, got -1/],
    ['ElasticWorkload replicas 1.5', 'replicas: 1\n', 'replicas: 1.5\n', /spec\.replicas: must be an integer between 0 and 2000 replicas, got 1\.5/],
    ['a CPU request of -1', 'cpu: "1"', 'cpu: "-1"', /Deployment default\/web: spec\.template\.spec\.containers\[0\]\.resources\.requests\.cpu: must be between 0 and 1000 cores, got "-1"/],
    ['a memory request of 1e308', 'memory: 1Gi', 'memory: "1e308"', /requests\.memory: must be between 0 and 4398046511104 bytes \(4Ti\), got "1e308"/],
    ['a PodMonitor interval of 0s', 'interval: 10s', 'interval: 0s', /PodMonitor default\/exporter: spec\.podMetricsEndpoints\[0\]\.interval: must be between 1 and 3600 s/],
  ];
  for (const [name, from, to, msg] of cases) {
    it(`refuses ${name} at its line`, async () => {
      expect(guideV2, `the fixture has "${from}"`).toContain(from);
      const text = guideV2.replace(from, to);
      const f = write(text);
      const e = await refusal(f);
      expect(e.message).toMatch(msg);
      // file:line:column of the field as written.
      const line = lineOf(text, to.trim());
      expect(e.message).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+: `, 'm'));
      expect(e.hint).toMatch(/bounds/);
    });
  }

  it('a shape discovery cannot read is refused at its line, before discovery', async () => {
    const text = guideV2.replace('  metrics:\n    - type: Object', '  metrics: 0\n  unused:\n    - type: Object');
    const f = write(text);
    const e = await refusal(f);
    expect(e.message).toMatch(new RegExp(`:${lineOf(text, 'metrics: 0')}:\\d+: HorizontalPodAutoscaler default/web: spec\\.metrics: must be a list, got 0`));
  });

  it('several problems are listed together, each at its line', async () => {
    const text = guideV2.replace('maxReplicas: 10', 'maxReplicas: 2000000000').replace('averageValue: "500"', 'averageValue: "1m"').replace('periodSeconds: 15', 'periodSeconds: 0');
    const e = await refusal(write(text));
    expect(e.message.split('\n')).toHaveLength(2);
    expect(e.message).toMatch(/spec\.maxReplicas/);
    expect(e.message).toMatch(/periodSeconds/);
  });

  it('"1m" is a target the scenario accepts too (above 0): with maxReplicas in bounds it simulates, bounded', async () => {
    const f = write(guideV2.replace('averageValue: "500"', 'averageValue: "1m"'));
    const s = await parseScenario('name: b\ncurve: {const: 5000}\nwindows: [{start: "07:00", end: "08:00"}]\n', join(tmp, 's.yaml'));
    const t0 = performance.now();
    const { timeline } = simulate(s, systemFromScenario(s, await loadSystemManifests(f)));
    expect(Math.max(...timeline!.samples.map((x) => x.ew.replicas))).toBe(10);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('a v2beta1 HPA is located in the file as written', async () => {
    const text = GUIDE.replace('maxReplicas: 10', 'maxReplicas: 5000');
    const f = write(text);
    expect((await refusal(f)).message).toMatch(new RegExp(`:${lineOf(text, 'maxReplicas: 5000')}:\\d+: HorizontalPodAutoscaler default/web: spec\\.maxReplicas: must be an integer between 1 and 2000`));
  });

  it('kustomize: a value written in a source file is located there; one a JSON patch sets names the file without a line', async () => {
    const dir = join(tmp, 'team');
    cpSync(join(TESTDATA, 'team'), dir, { recursive: true });
    const hpa = join(dir, 'base', 'hpa.yaml');
    const base = readFileSync(hpa, 'utf8');
    writeFileSync(hpa, base.replace('minReplicas: 2', 'minReplicas: -5'));
    const e = await refusal(join(dir, 'overlays', 'ci'));
    expect(e.message).toMatch(new RegExp(`base/hpa\\.yaml:${lineOf(base, 'minReplicas')}:\\d+: HorizontalPodAutoscaler shop/chat-api-hpa: spec\\.minReplicas: must be an integer between 1 and 2000 replicas, got -5`));
    writeFileSync(hpa, base);
    const k = join(dir, 'overlays', 'ci', 'kustomization.yaml');
    writeFileSync(k, readFileSync(k, 'utf8').replace('value: 10', 'value: 2000000000'));
    const p = await refusal(join(dir, 'overlays', 'ci'));
    expect(p.message).toMatch(/base\/hpa\.yaml: HorizontalPodAutoscaler shop\/chat-api-hpa: spec\.maxReplicas: must be an integer between 1 and 2000 replicas, got 2000000000 \(as rendered: a kustomize patch or transformer sets it/);
  });
});

describe('a CronHPA\'s values are held to the bounds too', () => {
  const cron = (jobs: string) => `${guideV2}---
apiVersion: autoscaling.alibabacloud.com/v1beta1
kind: CronHorizontalPodAutoscaler
metadata: {name: web-cron, namespace: default}
spec:
  scaleTargetRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: web}
  jobs:
${jobs}`;

  it('takes one inside the bounds', async () => {
    expect((await loadHarnessManifests({ path: write(cron('    - {name: up, schedule: "0 0 8 * * *", targetSize: 8}\n')) })).schedule?.metadata.name).toBe('web-cron');
  });

  it('refuses a targetSize of 5000 at its line', async () => {
    const text = cron('    - name: up\n      schedule: "0 0 8 * * *"\n      targetSize: 5000\n');
    const f = write(text);
    const e = await refusal(f);
    expect(e.message).toMatch(/CronHorizontalPodAutoscaler default\/web-cron: spec\.jobs\[0\]\.targetSize: must be an integer between 0 and 2000 replicas, got 5000/);
    expect(e.message).toContain(`${f}:${lineOf(text, 'targetSize: 5000')}:`);
  });

  it('refuses jobs that are not a list, as a shape', async () => {
    const e = await refusal(write(cron('    3\n').replace('  jobs:\n    3\n', '  jobs: 3\n')));
    expect(e.message).toMatch(/CronHorizontalPodAutoscaler default\/web-cron: spec\.jobs: must be a list, got 3/);
  });
});
