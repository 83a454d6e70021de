import type { V1APIService } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { describeExternalMetrics, externalMetricsOwner, kedaPreflight } from './external-metrics.ts';

const apiService = (service: { name: string; namespace: string }, available: boolean, labels: Record<string, string> = {}): V1APIService => ({
  metadata: { name: 'v1beta1.external.metrics.k8s.io', labels },
  spec: { group: 'external.metrics.k8s.io', version: 'v1beta1', service, groupPriorityMinimum: 100, versionPriority: 100 },
  status: { conditions: [{ type: 'Available', status: available ? 'True' : 'False', reason: available ? 'Passed' : 'FailedDiscoveryCheck', message: available ? 'all checks passed' : 'failing or missing response', lastTransitionTime: new Date(0) }] },
});

describe('who serves external.metrics.k8s.io on an existing cluster', () => {
  it('tells KEDA (chart or release manifests) from an adapter and from anything else, by its Service and labels', () => {
    expect(externalMetricsOwner(apiService({ name: 'keda-operator-metrics-apiserver', namespace: 'keda' }, true))).toMatchObject({ owner: 'keda', service: 'keda/keda-operator-metrics-apiserver', available: true });
    expect(externalMetricsOwner(apiService({ name: 'metrics', namespace: 'autoscaling' }, true, { 'app.kubernetes.io/part-of': 'keda-operator' })).owner).toBe('keda');
    expect(externalMetricsOwner(apiService({ name: 'prometheus-adapter', namespace: 'monitoring' }, true)).owner).toBe('adapter');
    expect(externalMetricsOwner(apiService({ name: 'alibaba-cloud-metrics-adapter', namespace: 'kube-system' }, true)).owner).toBe('adapter');
    expect(externalMetricsOwner(apiService({ name: 'my-metrics', namespace: 'ops' }, true)).owner).toBe('other');
    expect(externalMetricsOwner(undefined)).toEqual({ owner: 'none' });
  });

  it('lets a ScaledObject replay through an Available KEDA only', () => {
    expect(kedaPreflight(externalMetricsOwner(apiService({ name: 'keda-operator-metrics-apiserver', namespace: 'keda' }, true)))).toBeUndefined();
    const down = kedaPreflight(externalMetricsOwner(apiService({ name: 'keda-operator-metrics-apiserver', namespace: 'keda' }, false)))!;
    expect(down.message).toMatch(/KEDA holds v1beta1\.external\.metrics\.k8s\.io but its metrics apiserver is not Available \(FailedDiscoveryCheck: failing or missing response\)/);
    expect(down.hint).toMatch(/kubectl -n keda get pods/);
  });

  it('names an adapter that holds the group-version instead of KEDA, and what to do', () => {
    const e = kedaPreflight(externalMetricsOwner(apiService({ name: 'prometheus-adapter', namespace: 'monitoring' }, true)))!;
    expect(e.message).toMatch(/served by a metrics adapter \(v1beta1\.external\.metrics\.k8s\.io → Service monitoring\/prometheus-adapter, Available\), not KEDA/);
    expect(e.hint).toMatch(/externalRules/);
    expect(e.hint).toMatch(/--backend local/);
    const other = kedaPreflight(externalMetricsOwner(apiService({ name: 'my-metrics', namespace: 'ops' }, true)))!;
    expect(other.message).toMatch(/neither KEDA nor a known adapter \(.*ops\/my-metrics/);
  });

  it('says KEDA is missing when nothing serves the group, without offering to install it', () => {
    const e = kedaPreflight({ owner: 'none' })!;
    expect(e.message).toMatch(/no v1beta1\.external\.metrics\.k8s\.io APIService: KEDA is not installed/);
    expect(e.hint).toMatch(/kedacore\/keda/);
  });

  it('prints one line for cluster up whoever owns it', () => {
    expect(describeExternalMetrics({ owner: 'none' })).toMatch(/none; a ScaledObject needs KEDA/);
    expect(describeExternalMetrics(externalMetricsOwner(apiService({ name: 'prometheus-adapter', namespace: 'monitoring' }, true)))).toMatch(/served by a metrics adapter .*KEDA cannot register its metrics apiserver/);
    expect(describeExternalMetrics(externalMetricsOwner(apiService({ name: 'keda-operator-metrics-apiserver', namespace: 'keda' }, true)))).toMatch(/served by KEDA .*reads KEDA here/);
  });
});
