import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../scenarios/index.ts';
import { runReplay } from '../replay/engine/engine.ts';
import type { TimelineEvent } from '../../core/timeline/format.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The original guide's verification steps on the whole pipeline: fake SLS (curve) → production
 * exporter → Prometheus → prometheus-adapter → real HPA → ElasticWorkload → ECS + ECI.
 */
describe('original pipeline end to end (guide steps 1–4)', () => {
  it('custom metrics listed, HPA acts on ValidMetricFound, overflow on ECI, unit pods removed first', async () => {
    const scenario = await loadScenario(join(ROOT, 'scenarios/tiny.yaml'));
    let discovery = '';
    let describeHpa = '';
    let pods = '';
    const r = await runReplay({
      scenario,
      out: mkdtempSync(join(tmpdir(), 'ebf-pipeline-')),
      clusterName: 'e2e-pipeline',
      beforeTeardown: async (c) => {
        discovery = await c.kubectl(['get', '--raw', '/apis/custom.metrics.k8s.io/v1beta1']);
        describeHpa = await c.kubectl(['describe', 'hpa', 'nginx', '-n', 'default']);
        pods = await c.kubectl(['get', 'pods', '-n', 'default', '-o', 'wide']);
      },
    });
    expect(r.interrupted).toBe(false);
    // Step 1: the adapter's resources.
    const names = (JSON.parse(discovery) as { resources: { name: string }[] }).resources.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['services/active_devices', 'namespaces/active_devices']));
    // Step 2: the HPA found its metric and rescaled.
    expect(describeHpa).toMatch(/ScalingActive\s+True\s+ValidMetricFound/);
    // kcm words an Object metric with an AverageValue target as "external metric active_devices(nil)".
    expect(describeHpa).toMatch(/SuccessfulRescale\s+.*New size: \d+; reason: .*active_devices.* above target/);
    expect(describeHpa).toContain('"active_devices" on Service/nginx');
    expect(pods).toContain('nginx-');
    // Step 3: the step up filled the source to its max on ECS and overflowed onto the virtual node,
    // where pods became Ready only after the ECI start latency.
    const ev = r.timeline.events;
    const peak = r.timeline.samples.reduce((a, s) => (s.ew.replicas > a.ew.replicas ? s : a));
    expect(peak.ew.source).toBe(2);
    expect(peak.ew.units['nginx-unit-virtual-kubelet']).toBeGreaterThan(0);
    const eciReady = ev.filter((e) => e.type === 'pod.ready' && e.nodeType === 'eci');
    expect(eciReady.length).toBeGreaterThan(0);
    for (const ready of eciReady) {
      const created = ev.find((e) => e.type === 'pod.created' && e.object === ready.object);
      // ECI start ≥ 10 s virtual (+ image pull ≥ 2 s, minus ≤ 1 s jitter).
      if (created) expect(ready.t - created.t).toBeGreaterThanOrEqual(10_000);
    }
    // Step 4: the step down removed every unit pod before any source pod.
    const deleted = ev.filter((e): e is TimelineEvent => e.type === 'pod.deleted');
    const lastUnit = Math.max(...deleted.filter((e) => e.owner !== 'source').map((e) => e.t));
    const firstSource = Math.min(Infinity, ...deleted.filter((e) => e.owner === 'source').map((e) => e.t));
    expect(deleted.some((e) => e.owner !== 'source')).toBe(true);
    expect(firstSource).toBeGreaterThanOrEqual(lastUnit);
    expect(r.passed).toBe(true);
  }, 300_000);
});
