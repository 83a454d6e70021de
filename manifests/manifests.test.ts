import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyManifests, loadHarnessManifests, renderOverlay, serviceMonitorToScrapeTarget } from './index.ts';
import { buildHpa } from '../harness/replay/engine.ts';
import { parseScenario } from '../scenarios/index.ts';

const copies: { remove(): void }[] = [];
afterEach(() => copies.splice(0).forEach((c) => c.remove()));
const edit = (dir: string, file: string, from: string | RegExp, to: string) => {
  const p = join(dir, file);
  const before = readFileSync(p, 'utf8');
  const after = before.replace(from, to);
  expect(after, `${file} did not contain ${from}`).not.toBe(before);
  writeFileSync(p, after);
};

describe('manifests as the harness reads them', () => {
  it('renders both overlays; aliyun keeps the production endpoint, local points the exporter at the fake SLS', async () => {
    const aliyun = await renderOverlay('aliyun');
    const local = await renderOverlay('local');
    const cfg = (objs: typeof aliyun) => (objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('sls-exporter-config')) as unknown as { data: Record<string, string> }).data['config.yaml']!;
    expect(cfg(aliyun)).toContain('cn-hangzhou-intranet.log.aliyuncs.com');
    expect(cfg(local)).toContain('localhost:18080');
    expect(local.some((o) => o.kind === 'Secret')).toBe(true);
    expect(aliyun.some((o) => o.kind === 'Secret')).toBe(false);
    const hpa = local.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
    expect(hpa.apiVersion).toBe('autoscaling/v2');
  });

  it('the harness follows a change of the scrape interval, the adapter rule and the HPA in these files', async () => {
    const c = copyManifests();
    copies.push(c);
    edit(c.dir, 'base/exporter/servicemonitor.yaml', 'interval: 15s', 'interval: 30s');
    edit(c.dir, 'base/adapter/rules.yaml', "metricsQuery: 'max(", "metricsQuery: 'avg(");
    edit(c.dir, 'base/autoscaling/hpa.yaml', 'maxReplicas: 10', 'maxReplicas: 7');
    const m = await loadHarnessManifests({ dir: c.dir });
    expect(m.scrape.intervalSeconds).toBe(30);
    expect(serviceMonitorToScrapeTarget(m.scrape, '127.0.0.1:1').intervalSeconds).toBe(30);
    expect(m.adapterRulesYaml).toContain("metricsQuery: 'avg(");
    const scenario = await parseScenario('name: t\ncurve: {const: 1}\nwindows: [{start: "07:00", end: "07:10"}]\n', 't.yaml');
    expect((buildHpa(m.hpa, scenario, []).spec as { maxReplicas: number }).maxReplicas).toBe(7);
    // And the shipped files are what the harness reads by default.
    const shipped = await loadHarnessManifests();
    expect(shipped.scrape.intervalSeconds).toBe(15);
    expect((shipped.hpa.spec as { maxReplicas: number }).maxReplicas).toBe(10);
  });

  it('the exporter ServiceMonitor puts the series on Service nginx, as the adapter rule expects', async () => {
    const m = await loadHarnessManifests();
    const t = serviceMonitorToScrapeTarget(m.scrape, '127.0.0.1:9464');
    expect(t.relabelings?.at(-1)).toEqual({ action: 'replace', target_label: 'service', replacement: 'nginx' });
    expect(m.adapterRulesYaml).toContain('active_devices{namespace!="",service!=""}');
  });
});
