import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { comparable, lintChart, objectKey, renderChart } from './chart.ts';
import { copyManifests, renderOverlay, type KubeObject } from './index.ts';

// The chart is equivalent to the kustomize base: same objects, same specs, tool noise aside.
const copy = copyManifests();
afterAll(() => copy.remove());

/** The kustomize side: the base and the given components, as an overlay in a scratch copy. */
async function kustomize(components: string[]): Promise<KubeObject[]> {
  const name = `chart-equivalent-${components.length}`;
  mkdirSync(join(copy.dir, 'overlays', name), { recursive: true });
  writeFileSync(join(copy.dir, 'overlays', name, 'kustomization.yaml'), YAML.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['../../base'], components: components.map((c) => `../../components/${c}`) }));
  return renderOverlay(name, copy.dir);
}
const byKey = (objs: KubeObject[]) => Object.fromEntries(objs.map((o) => [objectKey(o), comparable(o)]));
const find = (objs: KubeObject[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name) as KubeObject & { spec: Record<string, unknown>; data?: Record<string, string> };

describe('the Helm chart', () => {
  let chart: KubeObject[];
  beforeAll(async () => {
    chart = await renderChart();
  }, 300_000);

  it('helm lint --strict passes', async () => {
    const r = await lintChart();
    expect(r.output).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(r.ok).toBe(true);
  }, 60_000);

  it('renders the same objects as kustomize base + components/namespaces, spec for spec', async () => {
    const k = await kustomize(['namespaces']);
    expect(Object.keys(byKey(chart)).sort()).toEqual(Object.keys(byKey(k)).sort());
    const c = byKey(chart);
    for (const [key, o] of Object.entries(byKey(k))) expect(c[key], key).toEqual(o);
  }, 60_000);

  it('with monitoring on, the same alerts and dashboard as components/monitoring', async () => {
    const [c, k] = await Promise.all([renderChart({ 'monitoring.enabled': true }), kustomize(['namespaces', 'monitoring'])]);
    expect(Object.keys(byKey(c)).sort()).toEqual(Object.keys(byKey(k)).sort());
    expect(byKey(c)['PrometheusRule monitoring/ebbflow-autoscaling']).toEqual(byKey(k)['PrometheusRule monitoring/ebbflow-autoscaling']);
    expect(byKey(c)['ConfigMap monitoring/ebbflow-autoscaling-dashboard']).toEqual(byKey(k)['ConfigMap monitoring/ebbflow-autoscaling-dashboard']);
  }, 60_000);

  it('values reach the objects: namespaces, images, endpoint, query, HPA, ElasticWorkload, controller off', async () => {
    const c = await renderChart({
      'namespaces.workload': 'chat', 'namespaces.exporter': 'sls', 'namespaces.controller': 'ew', 'namespaces.monitoring': 'obs',
      'images.exporter.repository': 'acr.example/sls-exporter', 'images.exporter.digest': `sha256:${'a'.repeat(64)}`,
      'exporter.endpoint': 'https://cn-shanghai-intranet.log.aliyuncs.com', 'exporter.project': 'p', 'exporter.logstore': 'l', 'exporter.query': '* | select 1 as active_devices',
      'hpa.minReplicas': 2, 'hpa.maxReplicas': 30, 'hpa.target.type': 'Value', 'hpa.target.value': '3k',
      'elasticWorkload.sourceMax': 5, 'elasticWorkload.unit.name': 'eci',
    });
    expect(c.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort()).toEqual(['ew', 'sls']);
    const cfg = YAML.parse(find(c, 'ConfigMap', 'sls-exporter-config').data!['config.yaml']!) as { sls: { endpoint: string }; metrics: { project: string; logstore: string; query: string }[] };
    expect([cfg.sls.endpoint, cfg.metrics[0]!.project, cfg.metrics[0]!.logstore, cfg.metrics[0]!.query]).toEqual(['https://cn-shanghai-intranet.log.aliyuncs.com', 'p', 'l', '* | select 1 as active_devices']);
    const hpa = find(c, 'HorizontalPodAutoscaler', 'nginx');
    expect([hpa.metadata.namespace, hpa.spec.minReplicas, hpa.spec.maxReplicas, (hpa.spec.metrics as { object: { target: unknown } }[])[0]!.object.target]).toEqual(['chat', 2, 30, { type: 'Value', value: '3k' }]);
    const ew = find(c, 'ElasticWorkload', 'nginx').spec as { sourceTarget: { max: number }; elasticUnit: { name: string }[] };
    expect([ew.sourceTarget.max, ew.elasticUnit[0]!.name]).toEqual([5, 'eci']);
    const exporter = find(c, 'Deployment', 'sls-exporter') as unknown as { metadata: { namespace: string }; spec: { template: { spec: { containers: { image: string }[] } } } };
    expect([exporter.metadata.namespace, exporter.spec.template.spec.containers[0]!.image]).toEqual(['sls', `acr.example/sls-exporter@sha256:${'a'.repeat(64)}`]);
    expect(find(c, 'ConfigMap', 'prometheus-adapter-rules').metadata.namespace).toBe('obs');
    const sm = find(c, 'ServiceMonitor', 'sls-exporter').spec as { namespaceSelector: { matchNames: string[] }; endpoints: { relabelings: { replacement: string }[] }[] };
    expect([find(c, 'ServiceMonitor', 'sls-exporter').metadata.namespace, sm.namespaceSelector.matchNames, sm.endpoints[0]!.relabelings[0]!.replacement]).toEqual(['chat', ['sls'], 'chat']);
    const ctl = find(c, 'Deployment', 'elasticworkload-controller') as unknown as { metadata: { namespace: string }; spec: { template: { spec: { containers: { args: string[] }[] } } } };
    expect([ctl.metadata.namespace, ctl.spec.template.spec.containers[0]!.args]).toEqual(['ew', ['ew-controller', '--namespace=chat']]);
    expect([find(c, 'Role', 'ebbflow-elasticworkload-controller').metadata.namespace, (find(c, 'RoleBinding', 'ebbflow-elasticworkload-controller') as unknown as { subjects: { namespace: string }[] }).subjects[0]!.namespace]).toEqual(['chat', 'ew']);

    const off = await renderChart({ 'controller.enabled': false, 'namespaces.create': false });
    expect(off.filter((o) => /elasticworkload-controller/.test(o.metadata.name) || o.kind === 'Namespace').map(objectKey)).toEqual([]);
  }, 120_000);

  it('a changed exporter config rolls the exporter (checksum/config); a bad value is refused by the schema', async () => {
    const sum = (objs: KubeObject[]) => (find(objs, 'Deployment', 'sls-exporter') as unknown as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations['checksum/config'];
    const other = await renderChart({ 'exporter.logstore': 'other' });
    expect(sum(chart)).toMatch(/^[0-9a-f]{64}$/);
    expect(sum(other)).not.toBe(sum(chart));
    await expect(renderChart({ 'hpa.target.type': 'Utilization' })).rejects.toThrow(/hpa\/target\/type.*AverageValue/);
    await expect(renderChart({ 'exporter.endpoint': 'cn-hangzhou.log.aliyuncs.com' })).rejects.toThrow(/exporter\/endpoint/);
  }, 120_000);
});
