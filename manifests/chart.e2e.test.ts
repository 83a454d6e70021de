import { beforeAll, describe, expect, it } from 'vitest';
import { sharedCluster, type SharedCluster } from '../cluster/local/testing.ts';
import { renderChart } from './chart.ts';
import { checkOverlays, dryRun } from './check.ts';

// The e2e project's shared cluster. What the check creates for real — the CRDs and the namespaces
// the manifests use (labelled restricted) — is the same for every file that checks them; all else
// is a server-side dry-run.
let c: SharedCluster;

describe('the Helm chart and the kustomize overlays pass server-side dry-run on a real API server', () => {
  beforeAll(async () => {
    c = await sharedCluster();
  });

  it('kustomize overlays (which also installs the ElasticWorkload, ServiceMonitor and PrometheusRule CRDs), then the chart with monitoring on', async () => {
    const k = await checkOverlays({ overlays: ['local', 'aliyun'], kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig });
    expect(k.objects.filter((o) => !o.ok)).toEqual([]);
    const chart = await renderChart({ 'monitoring.enabled': true, 'exporter.podLabels.pod-identity\\.alibabacloud\\.com/injection': 'on' });
    const r = await dryRun(c.kubeconfig, chart, 'chart');
    expect(r.filter((o) => !o.ok)).toEqual([]);
    expect(r.map((o) => o.object)).toEqual(expect.arrayContaining(['Namespace sls-exporter', 'HorizontalPodAutoscaler default/nginx', 'ElasticWorkload default/nginx', 'PrometheusRule monitoring/ebbflow-autoscaling', 'Deployment sls-exporter/sls-exporter']));
    expect(r.length).toBe(chart.length);
  }, 300_000);
});
