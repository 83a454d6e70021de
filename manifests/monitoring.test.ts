import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import YAML from 'yaml';
import { ensureBinaries } from '../cluster/toolchain/index.ts';
import { waitUntil } from '../core/wait.ts';
import { parseExporterConfig, startExporter, type RunningExporter } from '../exporter/index.ts';
import { startFakeSls, type FakeSls } from '../harness/fake-sls/index.ts';
import { freePort } from '../harness/pipeline/process.ts';
import { prometheusConfig } from '../harness/pipeline/prometheus.ts';
import { BUILTIN_ECI } from '../core/prices.ts';
import { baseManifests } from '../simulator/system.ts';
import { dashboardSchema, type GrafanaDashboard, type GrafanaPanel } from './grafana-dashboard.ts';
import { loadHarnessManifests, MANIFESTS_DIR, renderOverlay, serviceMonitorToScrapeTarget, type KubeObject } from './index.ts';

/**
 * components/monitoring: the alerts (checked and unit-tested by promtool, from the same Debian
 * package as Prometheus), the Grafana dashboard (Grafana's dashboard model, every query parsed by a
 * real Prometheus), and what the shipped ServiceMonitor keeps of the exporter's series for them.
 */

const COMPONENT = join(MANIFESTS_DIR, 'components', 'monitoring');
const DASHBOARD_FILE = join(COMPONENT, 'dashboards', 'ebbflow-autoscaling.json');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Group {
  name: string;
  rules: Rule[];
}

let aliyun: KubeObject[];
let groups: Group[];
const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as GrafanaDashboard;
const panels = (dashboard.panels ?? []).filter((p): p is GrafanaPanel => p.type !== 'row');
const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title ?? '', ...(t as { refId?: string; expr?: string; datasource?: unknown }) })));
const alerts = () => groups.flatMap((g) => g.rules);

/** A dashboard query as Grafana sends it: its variables replaced by their defaults and the built-in ranges. */
function substitute(expr: string): string {
  const vars: Record<string, string> = { __rate_interval: '1m', __interval: '1m', __range: '1h', __range_s: '3600' };
  for (const v of dashboard.templating?.list ?? []) if (typeof v.query === 'string' && v.type !== 'datasource') vars[v.name] = v.query;
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a?: string, b?: string) => vars[(a ?? b)!] ?? m);
}

beforeAll(async () => {
  aliyun = await renderOverlay('aliyun');
  const rule = aliyun.find((o) => o.kind === 'PrometheusRule')!;
  groups = (rule.spec as { groups: Group[] }).groups;
}, 60_000);

describe('components/monitoring in the overlays', () => {
  it('overlays/aliyun (and aliyun-cluster-wide) carry the PrometheusRule and the dashboard; the base and the local overlay do not', async () => {
    const names = (objs: KubeObject[]) => objs.filter((o) => o.kind === 'PrometheusRule' || o.metadata.labels?.grafana_dashboard === '1').map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    const expected = ['ConfigMap monitoring/ebbflow-autoscaling-dashboard', 'PrometheusRule monitoring/ebbflow-autoscaling'];
    expect(names(aliyun).sort()).toEqual(expected);
    expect(names(await renderOverlay('aliyun-cluster-wide')).sort()).toEqual(expected);
    expect(names(await renderOverlay('local'))).toEqual([]);
  });

  it('the dashboard ConfigMap holds the raw JSON file under a stable name, labelled for the Grafana sidecar', () => {
    const cm = aliyun.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'ebbflow-autoscaling-dashboard') as KubeObject & { data: Record<string, string> };
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/part-of': 'ebbflow' });
    expect(cm.data).toEqual({ 'ebbflow-autoscaling.json': readFileSync(DASHBOARD_FILE, 'utf8') });
  });
});

describe('alerts (PrometheusRule)', () => {
  it('each alert has a for:, a severity, a summary, a description and a runbook note', () => {
    expect(alerts().map((r) => r.alert)).toEqual(['SlsExporterDown', 'SlsMetricStale', 'SlsQueryErrorRateHigh', 'HpaPinnedAtMaxReplicas', 'EciPodsFailing']);
    for (const r of alerts()) {
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning'], r.alert).toContain(r.labels?.severity);
      expect(Object.keys(r.annotations ?? {}).sort(), r.alert).toEqual(['description', 'runbook', 'summary']);
    }
  });

  it('promtool check rules accepts the groups; promtool test rules passes every case in alerts.test.yaml', async () => {
    const { promtool } = await ensureBinaries(['promtool']);
    const dir = mkdtempSync(join(tmpdir(), 'ebf-rules-'));
    try {
      writeFileSync(join(dir, 'alerts.rules.yaml'), YAML.stringify({ groups }));
      copyFileSync(join(COMPONENT, 'alerts.test.yaml'), join(dir, 'alerts.test.yaml'));
      const check = await execa(promtool!, ['check', 'rules', 'alerts.rules.yaml'], { cwd: dir, reject: false, all: true });
      expect(check.exitCode, check.all).toBe(0);
      expect(check.all).toContain(`SUCCESS: ${alerts().length} rules found`);
      const test = await execa(promtool!, ['test', 'rules', 'alerts.test.yaml'], { cwd: dir, reject: false, all: true });
      expect(test.exitCode, test.all).toBe(0);
      expect(test.all).toContain('SUCCESS');
      // promtool fails a case whose expectation is wrong: a changed threshold is caught.
      writeFileSync(join(dir, 'alerts.rules.yaml'), YAML.stringify({ groups }).replace('> 0.1', '> 0.5'));
      expect((await execa(promtool!, ['test', 'rules', 'alerts.test.yaml'], { cwd: dir, reject: false })).exitCode).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('alerts.test.yaml tests every alert firing and not firing', () => {
    type Case = { alertname: string; exp_alerts?: unknown[] };
    const cases = (YAML.parse(readFileSync(join(COMPONENT, 'alerts.test.yaml'), 'utf8')) as { tests: { alert_rule_test: Case[] }[] }).tests.flatMap((t) => t.alert_rule_test);
    for (const r of alerts()) {
      const mine = cases.filter((c) => c.alertname === r.alert);
      expect(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${r.alert} firing`).toBe(true);
      expect(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${r.alert} not firing`).toBe(true);
    }
  });
});

describe('Grafana dashboard', () => {
  it('is a dashboard by Grafana\'s published model', () => {
    const r = dashboardSchema.safeParse(dashboard);
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
    // A typo the model does not allow is caught, not ignored.
    expect(dashboardSchema.safeParse({ ...dashboard, panels: [{ ...panels[0], gridpos: panels[0]!.gridPos }] }).success).toBe(false);
    expect(dashboardSchema.safeParse({ ...dashboard, schemaVersion: undefined }).success).toBe(false);
  });

  it('panels have unique ids and fit the 24-column grid without overlapping', () => {
    const all = dashboard.panels ?? [];
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    const boxes = all.map((p) => ({ id: p.id, ...p.gridPos! }));
    for (const b of boxes) expect(b.x + b.w, `panel ${b.id}`).toBeLessThanOrEqual(24);
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap, `panels ${a.id} and ${b.id} overlap`).toBe(false);
      }
    }
  });

  it('every query is a Prometheus query on the ${datasource} variable, with every variable defined', () => {
    expect(dashboard.templating?.list?.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(targets.length).toBeGreaterThan(20);
    for (const t of targets) {
      expect(t.datasource, t.panel).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(t.expr, t.panel).toEqual(expect.any(String));
      expect(substitute(t.expr!), t.panel).not.toContain('$');
    }
  });

  it('covers exporter health, SLS latency and errors, the metric vs the HPA target, replicas per tier and ECI cost', () => {
    const rows = (dashboard.panels ?? []).filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual(['Exporter health', 'SLS queries', 'Metric vs HPA target', 'Replicas per tier', 'ECI cost (estimate)']);
    const exprs = targets.map((t) => t.expr!).join('\n');
    for (const series of ['up{job="sls-exporter"', 'sls_exporter_up', 'process_resident_memory_bytes', 'sls_exporter_query_duration_seconds_bucket', 'sls_exporter_query_errors_total', 'active_devices{', 'kube_horizontalpodautoscaler_spec_target_metric', 'deployment="$workload"', 'deployment=~"$workload-unit-.+"', '$eci_pod_hour_price']) {
      expect(exprs, series).toContain(series);
    }
  });

  it('the ECI price default is the built-in ECI list price for the base pod\'s requests', () => {
    const price = Number(dashboard.templating!.list!.find((v) => v.name === 'eci_pod_hour_price')!.query);
    const requests = (baseManifests().deployment.spec as { template: { spec: { containers: { resources: { requests: { cpu: string; memory: string } } }[] } } }).template.spec.containers[0]!.resources.requests;
    expect(requests).toMatchObject({ cpu: '500m', memory: '512Mi' });
    expect(price).toBeCloseTo(3600 * (0.5 * BUILTIN_ECI.vcpuPerSecond + 0.5 * BUILTIN_ECI.gibPerSecond), 6);
  });
});

/** The exporter's own families (and `up` of its target): what the ServiceMonitor must keep. */
const EXPORTER_SERIES = /^(up|active_devices|sls_exporter_\w+|process_\w+|nodejs_\w+)$/;

describe('a real Prometheus scraping the exporter through the shipped ServiceMonitor', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let url: string;
  let sls: FakeSls;
  let exporter: RunningExporter;
  const query = async (expr: string) => {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await r.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  };

  beforeAll(async () => {
    const { prometheus } = await ensureBinaries(['prometheus']);
    sls = await startFakeSls({ curve: () => 2737 });
    cleanups.push(() => sls.stop());
    const m = await loadHarnessManifests();
    const cfg = parseExporterConfig(m.exporterConfigYaml, 'exporter ConfigMap', { ALIBABA_CLOUD_ACCESS_KEY_ID: 'ebbflow-test-ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ebbflow-test-secret' });
    const fast = { ...cfg, sls: { ...cfg.sls, endpoint: sls.endpoint }, metrics: cfg.metrics.map((x) => ({ ...x, interval: 0.2, maxStaleness: 30 })) };
    exporter = await startExporter(fast, { host: '127.0.0.1', port: 0 });
    cleanups.push(() => exporter.stop());
    const dir = mkdtempSync(join(tmpdir(), 'ebf-monitoring-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'data'));
    // The ServiceMonitor's 15 s scrape, 30× faster: the series, labels and relabelling as in a cluster.
    writeFileSync(join(dir, 'prometheus.yml'), YAML.stringify(prometheusConfig([serviceMonitorToScrapeTarget(m.scrape, `127.0.0.1:${exporter.port}`, 'sls-exporter-7c9d8-abcde')], 30)));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const proc: ResultPromise = execa(prometheus!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--query.lookback-delta=1m'], { reject: false, all: true });
    cleanups.push(async () => {
      proc.kill('SIGTERM');
      await proc;
    });
    const seen = (expr: string) => async () => ((await query(expr)).data?.result.length ?? 0) > 0 || undefined;
    await waitUntil('the exporter\'s series in Prometheus', 60_000, seen('active_devices'), () => String(proc.all ?? '').slice(-2000), 250);
    // Some failures after the counters are first scraped, so the error panels have a rate to show.
    sls.faults.inject({ kind: 'error', code: 'ServerBusy', times: 3 });
    await waitUntil('an error rate in Prometheus', 60_000, seen('rate(sls_exporter_query_errors_total{code="ServerBusy"}[1m]) > 0'), () => String(proc.all ?? '').slice(-2000), 250);
  }, 120_000);
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('every dashboard and alert expression parses (a query on this TSDB; an error is a bad expression)', async () => {
    const exprs = [...targets.map((t) => ({ what: `panel "${t.panel}" ${t.refId}`, expr: substitute(t.expr!) })), ...alerts().map((r) => ({ what: `alert ${r.alert}`, expr: r.expr }))];
    const bad: string[] = [];
    for (const { what, expr } of exprs) {
      const r = await query(expr);
      if (r.status !== 'success') bad.push(`${what}: ${r.error}`);
    }
    expect(bad).toEqual([]);
    expect((await query('sum(rate(up[1m]) by (')).status).toBe('error');
  });

  it('sls_exporter_up keeps the exporter\'s own service label; only active_devices is put on Service nginx, where the adapter rule looks', async () => {
    const up = (await query('sls_exporter_up')).data!.result;
    expect(up.map((s) => [s.metric.service, s.metric.namespace, s.metric.job, s.value[1]])).toEqual([['sls-exporter', 'default', 'sls-exporter', '1']]);
    const devices = (await query('active_devices')).data!.result;
    expect(devices.map((s) => [s.metric.service, s.metric.namespace, s.value[1]])).toEqual([['nginx', 'default', '2737']]);
    // The adapter rule's seriesQuery selects it.
    expect((await query('active_devices{namespace!="",service!=""}')).data!.result).toHaveLength(1);
    expect((await query('{service="nginx"}')).data!.result.map((s) => s.metric.__name__)).toEqual(['active_devices']);
  });

  it('every exporter series the dashboard and the alerts select is kept, with the labels they select it by, and has data', async () => {
    const exprs = [...targets.map((t) => substitute(t.expr!)), ...alerts().map((r) => r.expr)];
    const selectors = new Set<string>();
    for (const e of exprs) for (const [sel, name] of e.matchAll(/\b([a-zA-Z_:][\w:]*)\{[^}]*\}/g)) if (EXPORTER_SERIES.test(name!)) selectors.add(sel);
    expect([...selectors].some((s) => s.startsWith('process_'))).toBe(true);
    expect([...selectors].some((s) => s.startsWith('nodejs_'))).toBe(true);
    const empty: string[] = [];
    for (const s of selectors) if (((await query(s)).data?.result.length ?? 0) === 0) empty.push(s);
    expect(empty).toEqual([]);
    // And the panels built only on exporter series show something.
    const exporterOnly = targets.filter((t) => [...t.expr!.matchAll(/\b([a-zA-Z_:][\w:]*)\{/g)].every(([, n]) => EXPORTER_SERIES.test(n!)));
    expect(exporterOnly.length).toBeGreaterThan(10);
    const blank: string[] = [];
    for (const t of exporterOnly) if (((await query(substitute(t.expr!))).data?.result.length ?? 0) === 0) blank.push(`${t.panel}: ${t.expr}`);
    expect(blank).toEqual([]);
  });
});
