import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { UserError } from '../core/errors.ts';
import { convertHpaToV2 } from '../kinds/scaler/hpa/index.ts';
import { resolveSystem } from '../kinds/system.ts';
import { parseScenario } from '../scenarios/index.ts';
import { simulate, systemFromScenario } from '../simulator/index.ts';
import { loadSystemManifests } from '../simulator/system.ts';
import { discoverSystem, type SourcedObject } from './discover.ts';
import { harnessSystemManifests, loadHarnessManifests, manifestsPathFor, type KubeObject } from './index.ts';
import { loadManifestObjects, parseDocuments } from './load.ts';

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const GUIDE = join(TESTDATA, 'guide-v2beta1.yaml');
const TEAM = join(TESTDATA, 'team/overlays/ci');
const tmp = mkdtempSync(join(tmpdir(), 'ebf-discover-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The guide file's objects, changed by `edit`, as discovery's input. */
async function guide(edit: (objs: KubeObject[]) => KubeObject[] = (o) => o): Promise<SourcedObject[]> {
  const objs = (await loadManifestObjects(GUIDE)).map((s) => s.object);
  return edit(objs).map((object) => ({ object, file: 'guide.yaml' }));
}
const byKind = (objs: KubeObject[], kind: string, name?: string) => objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name))!;
const without = (kind: string, name?: string) => (objs: KubeObject[]) => objs.filter((o) => o !== byKind(objs, kind, name));
const scenario = (extra = '') => parseScenario(`name: byos\ncurve: {steps: [["07:00", 1000], ["07:10", 6000]]}\nwindows: [{start: "07:00", end: "07:40"}]\n${extra}`, join(tmp, 'byos.yaml'));

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('discovery: a team without an ElasticWorkload (kustomize overlay, other names and namespace)', () => {
  it('finds the HPA on the Deployment, the exporter, its ServiceMonitor and the adapter rules by content', async () => {
    const m = await loadHarnessManifests({ path: TEAM });
    expect(m.placement).toBeUndefined();
    expect(m.hpa.metadata).toMatchObject({ name: 'chat-api-hpa', namespace: 'shop' });
    expect((m.hpa.spec as { maxReplicas: number }).maxReplicas).toBe(10); // the overlay's patch
    expect(m.businessDeployment.metadata.name).toBe('chat-api');
    expect(m.businessService?.metadata.name).toBe('chat-api');
    expect(m.namespace).toBe('shop');
    expect(m.exporterConfigYaml).toContain('online_devices');
    expect(m.adapterRulesYaml).toContain('seriesQuery');
    expect(m.scrape).toMatchObject({ via: 'ServiceMonitor', intervalSeconds: 20, serviceName: 'devices-exporter', namespace: 'shop', portName: 'metrics' });
    // Messages name the source file, not the rendered stream.
    expect(m.fileOf!(m.hpa)).toMatch(/testdata\/team\/base\/hpa\.yaml$/);
  });

  it('resolves to a system with no split: every replica on the workload, none on ECI units', async () => {
    const s = await scenario();
    const sys = resolveSystem(s, harnessSystemManifests(await loadHarnessManifests({ path: TEAM })));
    expect(sys.placement.object).toBeUndefined();
    expect(sys.placement.tiers.slice(1)).toEqual([]);
    expect(sys.placement.tiers[0]).toMatchObject({ deployment: 'chat-api', max: 10 });
    expect(sys.pod).toEqual({ vcpu: 0.25, memoryGiB: 0.25 });
    expect(sys.pipeline.scrapeIntervalSeconds).toBe(20);
    const { timeline } = simulate(s, systemFromScenario(s, await loadSystemManifests(TEAM)));
    const peak = Math.max(...timeline!.samples.map((x) => x.ew.replicas));
    expect(peak).toBeGreaterThan(2);
    expect(timeline!.samples.every((x) => x.pods.eci.ready === 0 && Object.values(x.ew.units).every((u) => u === 0))).toBe(true);
  });

  it('refuses ElasticWorkload overrides in the scenario, naming the field and the workload', async () => {
    const s = await scenario('elasticWorkload: {sourceMax: 3}');
    const m = await loadHarnessManifests({ path: GUIDE });
    const e = userError(() => resolveSystem(s, harnessSystemManifests({ ...m, placement: undefined })));
    expect(e.message).toMatch(/byos\.yaml: elasticWorkload\.sourceMax: .* no ElasticWorkload — the HPA scales Deployment web directly/);
  });
});

describe('discovery: the guide as one multi-document file', () => {
  it('converts the v2beta1 HPA to v2 with a warning that shows the converted YAML', async () => {
    const m = await loadHarnessManifests({ path: GUIDE });
    expect(m.hpa.apiVersion).toBe('autoscaling/v2');
    expect((m.hpa.spec as { metrics: unknown[] }).metrics).toEqual([
      { type: 'Object', object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' }, metric: { name: 'active_devices' }, target: { type: 'Value', value: '3k' } } },
      { type: 'Object', object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: 'web' }, metric: { name: 'active_sessions' }, target: { type: 'AverageValue', averageValue: '500' } } },
    ]);
    expect(m.warnings).toHaveLength(1);
    expect(m.warnings![0]).toMatch(/autoscaling\/v2beta1, which Kubernetes removed in 1\.26/);
    // The warning's YAML is the converted object itself.
    expect(YAML.parse(m.warnings![0]!.split('put this in your manifests:\n')[1]!)).toEqual(m.hpa);
  });

  it('keeps several metrics and several units, and reads a PodMonitor', async () => {
    const m = await loadHarnessManifests({ path: GUIDE });
    const sys = resolveSystem(await scenario(), harnessSystemManifests(m));
    expect(sys.hpa.metrics).toEqual([{ type: 'Value', target: 3000 }, { type: 'AverageValue', target: 500 }]);
    expect(sys.placement.tiers.slice(1).map((t) => t.unit)).toEqual(['reserved', 'spot']);
    expect(sys.placement.tiers[0]!.max).toBe(3);
    expect(m.scrape).toMatchObject({ via: 'PodMonitor', intervalSeconds: 10, serviceName: '' });
  });

  it('converts Pods, Resource and External metrics field by field', () => {
    const h = { apiVersion: 'autoscaling/v2beta1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { maxReplicas: 3, metrics: [
      { type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } },
      { type: 'Resource', resource: { name: 'cpu', targetAverageUtilization: 70 } },
      { type: 'External', external: { metricName: 'queue', targetAverageValue: 30 } },
      { type: 'Object', object: { target: { kind: 'Service', name: 's' }, metricName: 'm', targetValue: '100k', averageValue: '800' } },
    ] } };
    expect((convertHpaToV2(h, 'f.yaml').spec as { metrics: unknown[] }).metrics).toEqual([
      { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'AverageValue', averageValue: '30' } } },
      // averageValue set: AverageValue, as the API server converted it (targetValue was required in v2beta1).
      { type: 'Object', object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: 's' }, metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '800' } } },
    ]);
  });
});

describe('discovery: what is missing or ambiguous is one UserError naming object, file and fix', () => {
  const cases: [string, (o: KubeObject[]) => KubeObject[], RegExp][] = [
    ['no HPA', without('HorizontalPodAutoscaler'), /where: no ScaledObject or HorizontalPodAutoscaler found/],
    ['two HPAs', (o) => [...o, { ...structuredClone(byKind(o, 'HorizontalPodAutoscaler')), metadata: { name: 'other', namespace: 'default' } }], /2 HorizontalPodAutoscalers found \(HorizontalPodAutoscaler default\/web in guide\.yaml, HorizontalPodAutoscaler default\/other/],
    ['removed apiVersion', (o) => o.map((x) => (x.kind === 'HorizontalPodAutoscaler' ? { ...x, apiVersion: 'autoscaling/v1' } : x)), /guide\.yaml: HorizontalPodAutoscaler default\/web: apiVersion autoscaling\/v1 is not autoscaling\/v2/],
    ['target ElasticWorkload missing', without('ElasticWorkload'), /guide\.yaml: HorizontalPodAutoscaler default\/web: spec\.scaleTargetRef names ElasticWorkload default\/web-ew, which is not among the manifests/],
    ['source Deployment missing', without('Deployment', 'web'), /ElasticWorkload default\/web-ew: spec\.sourceTarget names Deployment default\/web/],
    ['unsupported target kind', (o) => o.map((x) => (x.kind === 'HorizontalPodAutoscaler' ? { ...x, spec: { ...(x.spec as object), scaleTargetRef: { kind: 'ReplicaSet', name: 'web' } } } : x)), /scaleTargetRef\.kind "ReplicaSet" is not ElasticWorkload, Deployment, StatefulSet or UnitedDeployment/],
    ['no exporter config', without('ConfigMap', 'exporter'), /no exporter config found/],
    ['two adapter configs', (o) => [...o, { ...structuredClone(byKind(o, 'ConfigMap', 'adapter')), metadata: { name: 'adapter2', namespace: 'monitoring' } }], /2 candidates for the prometheus-adapter rules: ConfigMap monitoring\/adapter key config\.yaml in guide\.yaml, ConfigMap monitoring\/adapter2/],
    ['exporter not mounted', without('Deployment', 'exporter'), /guide\.yaml: no Deployment in namespace default mounts the exporter config ConfigMap default\/exporter/],
    ['nothing scrapes the exporter', without('PodMonitor'), /nothing tells Prometheus to scrape the exporter Deployment default\/exporter/],
    ['monitor without endpoints', (o) => o.map((x) => (x.kind === 'PodMonitor' ? { ...x, spec: { selector: { matchLabels: { app: 'exporter' } } } } : x)), /PodMonitor default\/exporter has no podMetricsEndpoints/],
    ['bad interval', (o) => o.map((x) => (x.kind === 'PodMonitor' ? { ...x, spec: { selector: { matchLabels: { app: 'exporter' } }, podMetricsEndpoints: [{ interval: 'soon' }] } } : x)), /PodMonitor default\/exporter: spec\.podMetricsEndpoints\[0\]\.interval: /],
    ['v2beta1 metric without a name', (o) => o.map((x) => (x.kind === 'HorizontalPodAutoscaler' ? { ...x, spec: { ...(x.spec as object), metrics: [{ type: 'Object', object: { target: { kind: 'Service', name: 'web' }, targetValue: 1 } }] } } : x)), /spec\.metrics\[0\]: object\.metricName is missing/],
  ];
  for (const [name, edit, msg] of cases) {
    it(name, async () => {
      const input = await guide(edit);
      const e = userError(() => discoverSystem(input, 'where'));
      expect(e.message).toMatch(msg);
      expect(e.hint).toBeTruthy();
    });
  }

  it('prometheus.io/scrape annotations are a scrape config too, with the assumed interval in a warning', async () => {
    const input = await guide(without('PodMonitor'));
    const exp = input.find((s) => s.object.kind === 'Deployment' && s.object.metadata.name === 'exporter')!.object as unknown as { spec: { template: { metadata: { annotations?: object } } } };
    exp.spec.template.metadata.annotations = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464' };
    const d = discoverSystem(input, 'where');
    expect(d.scrape).toMatchObject({ via: 'annotations', intervalSeconds: 30, portName: '9464' });
    expect(d.warnings.some((w) => w.includes('prometheus.io/* annotations'))).toBe(true);
  });

  it('paths: missing, a folder without YAML, and YAML syntax errors with file and line', async () => {
    await expect(loadManifestObjects(join(tmp, 'nope'))).rejects.toThrow(/manifests .*nope: no such file or directory/);
    const empty = mkdtempSync(join(tmp, 'empty-'));
    await expect(loadManifestObjects(empty)).rejects.toThrow(/no \.yaml or \.yml files in this folder/);
    writeFileSync(join(empty, 'bad.yaml'), 'kind: Service\nmetadata: {name: x\n');
    await expect(loadManifestObjects(empty)).rejects.toThrow(/bad\.yaml:\d+: not valid YAML/);
    expect(parseDocuments('kind: List\napiVersion: v1\nitems: [{kind: Service, metadata: {name: a}}]', 'l.yaml').map((o) => o.metadata.name)).toEqual(['a']);
  });

  it('a folder of YAML files is read recursively, each object with its file', async () => {
    const dir = mkdtempSync(join(tmp, 'folder-'));
    const docs = YAML.parseAllDocuments(readFileSync(GUIDE, 'utf8')).map((d) => String(d));
    mkdirSync(join(dir, 'sub'));
    docs.forEach((d, i) => writeFileSync(join(dir, i % 2 ? `sub/${i}.yml` : `${i}.yml`), d));
    const objs = await loadManifestObjects(dir, dir);
    const d = discoverSystem(objs, dir);
    const i = docs.findIndex((x) => x.includes('apiVersion: autoscaling/v2beta1'));
    expect(d.fileOf(d.hpa)).toBe(i % 2 ? `sub/${i}.yml` : `${i}.yml`);
    expect(d.placement?.metadata.name).toBe('web-ew');
  });
});

describe('which manifests a run reads', () => {
  it('the CLI flag wins; the scenario field is relative to the scenario file; else the shipped ones', () => {
    expect(manifestsPathFor({ file: '/a/b/s.yaml', manifests: '../deploy' }, 'x')).toBe('x');
    expect(manifestsPathFor({ file: '/a/b/s.yaml', manifests: '../deploy' }, undefined)).toBe('/a/deploy');
    expect(manifestsPathFor({ file: '/a/b/s.yaml' }, undefined)).toBeUndefined();
  });

  it('the shipped overlay is discovered the same way: the ElasticWorkload, Service nginx, the ServiceMonitor', async () => {
    const m = await loadHarnessManifests();
    expect(m.placement?.metadata.name).toBe('nginx');
    expect(m.namespace).toBe('default');
    expect(m.scrape).toMatchObject({ via: 'ServiceMonitor', intervalSeconds: 15, serviceName: 'sls-exporter' });
    expect(m.warnings).toEqual([]);
  });
});

describe('whatif with a team\'s manifests', () => {
  it('the sweep workers model the discovered system, not the shipped one', async () => {
    const { runSweep } = await import('../simulator/whatif.ts');
    const file = join(tmp, 'sweep.yaml');
    writeFileSync(file, 'name: sweep\ncurve: {steps: [["07:00", 1000], ["07:10", 6000]]}\nwindows: [{start: "07:00", end: "07:40"}]\n');
    const configs = [{ minReplicas: 2 }];
    const [team] = await runSweep({ file, configs, workers: 1, manifests: await loadSystemManifests(TEAM) });
    const [shipped] = await runSweep({ file, configs, workers: 1 });
    // The team's HPA targets 800 devices per replica (AverageValue) and has no ECI unit; the shipped one overflows to ECI.
    expect(team!.summary.eciPodHours).toBe(0);
    expect(team!.summary.peakReplicas).toBe(8);
    expect(shipped!.summary.peakReplicas).not.toBe(team!.summary.peakReplicas);
  }, 60_000);
});

describe('discovery: a CronHorizontalPodAutoscaler beside the HPA', () => {
  const cron = (ref: object, name = 'web-cron'): KubeObject => ({
    apiVersion: 'autoscaling.alibabacloud.com/v1beta1', kind: 'CronHorizontalPodAutoscaler', metadata: { name, namespace: 'default' },
    spec: { scaleTargetRef: ref, jobs: [{ name: 'morning', schedule: '0 0 7 * * *', targetSize: 6 }] },
  });
  const onHpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'web' };

  it('finds one aimed at the HPA and resolves it into the system with the scenario\'s time zone', async () => {
    const d = discoverSystem(await guide((o) => [...o, cron(onHpa)]), 'guide.yaml');
    expect(d.schedule?.metadata.name).toBe('web-cron');
    const s = { ...(await scenario()), timezone: 'Asia/Shanghai' };
    const sys = resolveSystem(s, { ...harnessSystemManifests({ ...(await loadHarnessManifests({ path: GUIDE })), schedule: d.schedule! }) });
    expect(sys.schedule).toMatchObject({ kind: 'CronHorizontalPodAutoscaler', timeZone: 'Asia/Shanghai', spec: { target: 'scaler', jobs: [{ name: 'morning', targetSize: 6 }] } });
  });

  it('one aimed at the HPA\'s target is taken, with a warning that the two fight', async () => {
    const d = discoverSystem(await guide((o) => [...o, cron({ apiVersion: 'autoscaling.alibabacloud.com/v1beta1', kind: 'ElasticWorkload', name: 'web-ew' })]), 'guide.yaml');
    expect(d.schedule).toBeDefined();
    expect(d.warnings.join('\n')).toMatch(/each job sets the replicas and the HPA's next sync takes them back/);
  });

  it('one aimed elsewhere, or two, is an error naming the object, the file and the fix', async () => {
    const elsewhere = await guide((o) => [...o, cron({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'other' })]);
    const stray = userError(() => discoverSystem(elsewhere, 'guide.yaml'));
    expect(stray.message).toMatch(/guide\.yaml: CronHorizontalPodAutoscaler default\/web-cron: spec\.scaleTargetRef names Deployment default\/other, which is neither HorizontalPodAutoscaler default\/web nor its target ElasticWorkload web-ew/);
    expect(stray.hint).toMatch(/point it at the HPA/);
    const twice = await guide((o) => [...o, cron(onHpa), cron(onHpa, 'second')]);
    expect(userError(() => discoverSystem(twice, 'guide.yaml')).message).toMatch(/2 CronHorizontalPodAutoscalers found/);
  });
});

describe('discovery: a CronHorizontalPodAutoscaler without an HPA', () => {
  it('is one error naming it and the fix', async () => {
    const objs = await guide((o) => [...without('HorizontalPodAutoscaler')(o), { apiVersion: 'autoscaling.alibabacloud.com/v1beta1', kind: 'CronHorizontalPodAutoscaler', metadata: { name: 'c', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, jobs: [] } }]);
    const e = userError(() => discoverSystem(objs, 'guide.yaml'));
    expect(e.message).toBe('guide.yaml: CronHorizontalPodAutoscaler default/c without a ScaledObject or HorizontalPodAutoscaler: a schedule alone is not modelled (the run\'s metric pipeline ends in the HPA)');
    expect(e.hint).toMatch(/add the HPA the CronHPA works with/);
  });
});
