import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { freePort } from '../pipeline/process.ts';
import type { Timeline } from '../../core/timeline/format.ts';
import { runReplay } from './engine/engine.ts';

/**
 * Events mode end to end: a k6 fleet's heartbeats through the fake SLS, the exporter's real query,
 * Prometheus, the adapter and the real HPA. The metric must follow the events (not the curve), a
 * wrong query must fail the run, and a team's own Python exporter (official SDK + prometheus_client)
 * must work in ebbflow's place.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A bounded fleet (≤ 1,800 devices): tiny's step up and down, scaled to 300 devices per replica. */
const SMALL = `name: events-small
source: {mode: events, heartbeatSeconds: 30}
curve:
  steps: [["07:00", 400], ["07:03", 1800], ["07:11", 400]]
windows: [{start: "07:00", end: "07:16"}]
compression: 60
devicesPerReplica: 300
nodes: {ecs: [{name: ecs, count: 2}]}
hpa: {minReplicas: 1, maxReplicas: 10, target: {type: AverageValue, value: 300}, downscaleStabilizationSeconds: 120}
elasticWorkload: {sourceMax: 2}
expectations:
  - {type: sourceNeverAboveMax}
  - {type: overflowOnlyOnVirtualNode}
  - {type: reactionTime, withinSeconds: 150, tolerance: 0.1}
`;

async function replay(yaml: string, name: string, extra: { manifestsDir?: string; files?: Record<string, string> } = {}) {
  const dir = tmp(`ebf-events-${name}-`);
  for (const [f, text] of Object.entries(extra.files ?? {})) writeFileSync(join(dir, f), text);
  writeFileSync(join(dir, 'scenario.yaml'), yaml);
  const scenario = await loadScenario(join(dir, 'scenario.yaml'), { allowExporterCommand: true });
  return runReplay({ scenario, out: join(dir, 'out'), clusterName: `e2e-ev-${name}`, ...(extra.manifestsDir ? { manifestsDir: extra.manifestsDir } : {}) });
}

const heldValues = (tl: Timeline) => tl.events.filter((e) => e.type === 'metric.published' && e.object === 'sls-events').map((e) => e.to!);
/**
 * What the exporter served (the probe reads its /metrics), in order. Not the samples' `metric`: for an
 * AverageValue target the recorder rebuilds it as averageValue × currentReplicas, which is off while
 * the HPA's status is between two syncs.
 */
const metricValues = (tl: Timeline) => tl.events.filter((e) => e.type === 'metric.published' && e.object === 'exporter').map((e) => e.to!);

describe('events mode (k6 fleet → fake SLS → real query → HPA)', () => {
  it('the metric follows the devices the fleet sent, and the run passes', async () => {
    const r = await replay(SMALL, 'ok');
    expect(r.results.filter((x) => !x.passed).map((x) => x.message)).toEqual([]);
    const metric = metricValues(r.timeline);
    const held = heldValues(r.timeline);
    // Distinct devices are exact: the fake held the whole fleet, and the exporter's query saw it.
    expect(Math.max(...held)).toBe(1800);
    expect(Math.max(...metric)).toBe(1800);
    expect(metric.at(-1)).toBe(400);
    // The HPA saw the events too: its view never exceeded the fleet by more than its status' rounding.
    expect(Math.max(...r.timeline.samples.map((x) => x.metric ?? 0))).toBeGreaterThan(1500);
    expect(readFileSync(r.files.markdown, 'utf8')).toMatch(/events mode adds \d+ s before the exporter/);
  }, 300_000);

  it('a query on the wrong field fails the run (curve mode would have passed it)', async () => {
    const manifests = tmp('ebf-events-manifests-');
    for (const d of ['base', 'overlays', 'components']) cpSync(join(ROOT, 'manifests', d), join(manifests, d), { recursive: true });
    const k = join(manifests, 'overlays/local/kustomization.yaml');
    const text = readFileSync(k, 'utf8');
    expect(text).toContain('approx_distinct(device_id)');
    writeFileSync(k, text.replace('approx_distinct(device_id)', 'approx_distinct(deviceid)'));
    const r = await replay(SMALL, 'wrong', { manifestsDir: manifests });
    expect(r.passed).toBe(false);
    expect(r.results.find((x) => x.name.startsWith('reactionTime'))?.passed).toBe(false);
    expect(Math.max(...heldValues(r.timeline))).toBe(1800);
    expect(Math.max(...metricValues(r.timeline))).toBe(0);
    expect(Math.max(...r.timeline.samples.map((x) => x.metric ?? 0))).toBe(0);
  }, 300_000);
});

/** A team's exporter: the official Python SDK and prometheus_client, configured only by the documented env. */
const PY_EXPORTER = `import os, socket, time
from aliyun.log import LogClient
from prometheus_client import Gauge, start_http_server

# <project>.localhost is loopback (RFC 6761); glibc does not resolve it, so map it here.
_getaddrinfo = socket.getaddrinfo
socket.getaddrinfo = lambda h, *a, **k: _getaddrinfo('127.0.0.1' if isinstance(h, str) and h.endswith('.localhost') else h, *a, **k)

client = LogClient(os.environ['LOG_ENDPOINT'], os.environ['ALIBABA_CLOUD_ACCESS_KEY_ID'], os.environ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'])
project, logstore, query = os.environ['SLS_PROJECT'], os.environ['SLS_LOGSTORE'], os.environ['DEVICES_QUERY']
window = int(os.environ['EBBFLOW_SLS_WINDOW_SECONDS'])
interval = float(os.environ['EBBFLOW_EXPORTER_INTERVAL_SECONDS'])
gauge = Gauge('active_devices', 'Distinct devices that sent a heartbeat in the window')
start_http_server(int(os.environ['PORT']), addr='127.0.0.1')

while True:
    now = int(time.time())
    try:
        rows = client.get_log(project, logstore, now - window, now, query=query).get_logs()
        if rows:
            gauge.set(float(rows[0].get_contents()['active_devices']))
    except Exception as e:  # keep the last value; the SDK already retried
        print('query failed:', e, flush=True)
    time.sleep(interval)
`;

describe('bring your own exporter', () => {
  it('a Python exporter on the official SDK replays tiny in events mode and passes', async () => {
    const python = (await ensureBinaries(['sls-python']))['sls-python']!;
    const port = await freePort();
    const tiny = readFileSync(join(ROOT, 'scenarios/tiny.yaml'), 'utf8').replace('name: tiny', 'name: tiny-own');
    const yaml = `${tiny}
source: {mode: events, heartbeatSeconds: 30}
exporter:
  command: [${JSON.stringify(python)}, exporter.py]
  env: {PORT: "${port}", DEVICES_QUERY: "* | select approx_distinct(device_id) as active_devices", LOG_ENDPOINT: "\${SLS_ENDPOINT}"}
  metricsUrl: http://127.0.0.1:${port}/metrics
`;
    const r = await replay(yaml, 'own', { files: { 'exporter.py': PY_EXPORTER } });
    expect(r.results.filter((x) => !x.passed).map((x) => x.message)).toEqual([]);
    const metric = metricValues(r.timeline);
    expect(Math.max(...metric)).toBe(5800);
    expect(metric.at(-1)).toBe(1500);
    // Prometheus scraped the team's exporter like ebbflow's: it served the same values.
    expect(r.timeline.events.some((e) => e.type === 'metric.published' && e.object === 'prometheus' && e.to === 5800)).toBe(true);
  }, 300_000);
});
