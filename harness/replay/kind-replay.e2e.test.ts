import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kindClusterName } from '../../cluster/kind/cluster.ts';
import { clusterSupervisor, ebbflowClusterDir } from '../../cluster/local/index.ts';
import { loadScenario } from '../../scenarios/index.ts';
import { runReplay } from './engine/engine.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NAME = 'e2e-kind-replay';
const VIRTUAL_NODE = 'virtual-kubelet-cn-hangzhou-i';

type Pod = { metadata: { name: string }; spec: { nodeName?: string; containers: { image: string; securityContext?: { readOnlyRootFilesystem?: boolean } }[] }; status: { phase: string } };

describe('replay --backend kind (the exporter and workload as pods, ECI as a virtual-kubelet)', () => {
  it('runs tiny.yaml through the exporter pod into the real HPA, overflows onto the virtual node, passes, and leaves nothing behind', async () => {
    const scenario = await loadScenario(join(ROOT, 'scenarios/tiny.yaml'));
    let exporterPods: Pod[] = [];
    let workloadPods: Pod[] = [];
    let podMetrics = '';
    const r = await runReplay({
      scenario,
      backend: 'kind',
      out: mkdtempSync(join(tmpdir(), 'ebf-kind-replay-')),
      clusterName: NAME,
      beforeTeardown: async (c) => {
        exporterPods = (JSON.parse(await c.kubectl(['get', 'pods', '-n', 'default', '-l', 'app.kubernetes.io/name=sls-exporter', '-o', 'json'])) as { items: Pod[] }).items;
        workloadPods = (JSON.parse(await c.kubectl(['get', 'pods', '-n', 'default', '-l', 'app=nginx', '-o', 'json'])) as { items: Pod[] }).items;
        // What Prometheus scrapes: the exporter Service through the API server's proxy.
        podMetrics = await c.kubectl(['get', '--raw', '/api/v1/namespaces/default/services/sls-exporter:metrics/proxy/metrics']);
      },
    });
    expect(r.results.filter((x) => !x.passed).map((x) => x.message)).toEqual([]);
    expect(r.passed).toBe(true);
    // The exporter runs as the production manifests say: its image, Running, read-only root filesystem.
    expect(exporterPods.length).toBeGreaterThan(0);
    for (const p of exporterPods) {
      expect(p.status.phase).toBe('Running');
      expect(p.spec.containers[0]!.image).toMatch(/^ebbflow\/sls-exporter:/);
      expect(p.spec.containers[0]!.securityContext?.readOnlyRootFilesystem).toBe(true);
    }
    // The pod answered the fake SLS: the metric is there and its own query counter moved.
    expect(podMetrics).toMatch(/^active_devices(\{[^}]*\})? 1500$/m);
    expect(podMetrics).toMatch(/^sls_exporter_query_duration_seconds_count\{[^}]*\} [1-9]/m);
    // The HPA's metric followed the curve: every sample after warm-up read what the fake served.
    const withMetric = r.timeline.samples.filter((s) => s.metric !== undefined);
    expect(withMetric.some((s) => s.metric === 5800)).toBe(true);
    // The source pods ran for real on the kind node; the overflow went to the virtual-kubelet node.
    expect(workloadPods.some((p) => p.spec.nodeName === `${kindClusterName(NAME)}-control-plane` && p.status.phase === 'Running')).toBe(true);
    const eciReady = r.timeline.events.filter((e) => e.type === 'pod.ready' && (e as { nodeType?: string }).nodeType === 'eci');
    expect(eciReady.length).toBeGreaterThan(0);
    expect(eciReady.every((e) => (e as { node?: string }).node === VIRTUAL_NODE)).toBe(true);
    expect(r.results.find((x) => x.name === 'scaleDownOrder')?.passed).toBe(true);
    // Nothing left: no node container, no vk-eci or other host process, no state directory.
    const containers = await execa('docker', ['ps', '-a', '--filter', `name=${kindClusterName(NAME)}`, '--format', '{{.Names}}']);
    expect(containers.stdout.trim()).toBe('');
    expect(existsSync(ebbflowClusterDir(NAME)) ? clusterSupervisor(NAME).list() : []).toEqual([]);
  }, 600_000);
});
