import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controllerFacts, controllerPreflight, controllersPreflight, describeControllers, groupVersions, KRUISE_WEBHOOKS, servedKinds, webhookFailure, type ControllerFacts } from './controllers.ts';
import { externalMetricsOwner } from './external-metrics.ts';

const UD = { kind: 'UnitedDeployment', apiVersion: 'apps.kruise.io/v1alpha1' };
const WS = { kind: 'WorkloadSpread', apiVersion: 'apps.kruise.io/v1alpha1' };
const RP = { kind: 'ResourcePolicy', apiVersion: 'scheduling.alibabacloud.com/v1alpha1' };
const SO = { kind: 'ScaledObject', apiVersion: 'keda.sh/v1alpha1' };
const kedaOwner = (name: string, available = true, namespace = 'keda') => externalMetricsOwner({
  metadata: { name: 'v1beta1.external.metrics.k8s.io' },
  spec: { service: { name, namespace }, groupPriorityMinimum: 100, versionPriority: 100 },
  status: { conditions: [{ type: 'Available', status: available ? 'True' : 'False', reason: 'R', message: 'm', lastTransitionTime: new Date(0) }] },
});

const facts = (o: Partial<ControllerFacts> = {}): ControllerFacts => ({
  served: new Set(['apps.kruise.io/v1alpha1/uniteddeployments', 'apps.kruise.io/v1alpha1/workloadspreads']),
  webhooks: { [KRUISE_WEBHOOKS[0]]: { caBundle: true }, [KRUISE_WEBHOOKS[1]]: { caBundle: true } },
  externalMetrics: { owner: 'none' },
  ...o,
});

describe('the controllers an existing cluster must run for a kind', () => {
  it('lets a UnitedDeployment and a WorkloadSpread run when kruise serves them and its manager filled its webhooks', () => {
    expect(controllerPreflight(UD, facts())).toEqual({ warnings: [] });
    expect(controllerPreflight(WS, facts())).toEqual({ warnings: [] });
    // Kinds ebbflow brings its own controller for, or that need none, ask nothing of the cluster.
    expect(controllerPreflight({ kind: 'ElasticWorkload', apiVersion: 'autoscaling.alibabacloud.com/v1beta1' }, facts({ served: new Set() }))).toEqual({ warnings: [] });
  });

  it('refuses kruise kinds without the CRD, without the manager\'s webhooks, or with webhooks the manager never filled', () => {
    const none = controllerPreflight(UD, facts({ served: new Set() })).refusal!;
    expect(none.message).toContain('does not serve uniteddeployments.apps.kruise.io v1alpha1');
    expect(none.hint).toContain('install OpenKruise');
    // A version the cluster does not serve is not served, whatever other version is.
    expect(controllerPreflight({ kind: 'WorkloadSpread', apiVersion: 'apps.kruise.io/v1beta1' }, facts()).refusal?.message).toContain('workloadspreads.apps.kruise.io v1beta1');
    const noHooks = controllerPreflight(WS, facts({ webhooks: { [KRUISE_WEBHOOKS[0]]: { caBundle: true }, [KRUISE_WEBHOOKS[1]]: undefined } })).refusal!;
    expect(noHooks.message).toContain('has no kruise-validating-webhook-configuration');
    expect(noHooks.hint).toContain('kruise-system');
    const unfilled = controllerPreflight(UD, facts({ webhooks: { [KRUISE_WEBHOOKS[0]]: { caBundle: false }, [KRUISE_WEBHOOKS[1]]: { caBundle: true } } })).refusal!;
    expect(unfilled.message).toMatch(/kruise-mutating-webhook-configuration on the cluster has no CA bundle/);
  });

  it('lets a ResourcePolicy run on a cluster serving its CRD, with a warning that ACK\'s scheduler places it unchecked', () => {
    const p = controllerPreflight(RP, facts({ served: new Set(['scheduling.alibabacloud.com/v1alpha1/resourcepolicies']) }));
    expect(p.refusal).toBeUndefined();
    expect(p.warnings[0]).toMatch(/only the cluster's scheduler \(ACK's, closed\) places the pods/);
    expect(p.warnings[0]).toContain('judged from what the run recorded');
    expect(controllerPreflight(RP, facts()).refusal?.message).toContain('does not serve resourcepolicies.scheduling.alibabacloud.com');
  });

  it('lets a ScaledObject run only with KEDA\'s CRD served and KEDA holding external.metrics.k8s.io', () => {
    const served = new Set(['keda.sh/v1alpha1/scaledobjects']);
    expect(controllerPreflight(SO, facts({ served, externalMetrics: kedaOwner('keda-operator-metrics-apiserver') }))).toEqual({ warnings: [] });
    expect(controllerPreflight(SO, facts({ externalMetrics: kedaOwner('keda-operator-metrics-apiserver') })).refusal?.message).toContain('does not serve scaledobjects.keda.sh');
    expect(controllerPreflight(SO, facts({ served, externalMetrics: kedaOwner('prometheus-adapter', true, 'monitoring') })).refusal?.message).toMatch(/served by a metrics adapter .* not KEDA/);
    expect(controllerPreflight(SO, facts({ served, externalMetrics: kedaOwner('keda-operator-metrics-apiserver', false) })).refusal?.message).toMatch(/metrics apiserver is not Available/);
    expect(controllerPreflight(SO, facts({ served })).refusal?.message).toMatch(/KEDA is not installed/);
  });

  it('takes the first refusal of several objects, else every warning; names what cluster up reports', () => {
    const rp = new Set(['scheduling.alibabacloud.com/v1alpha1/resourcepolicies']);
    expect(controllersPreflight([RP, SO], facts({ served: rp })).refusal?.message).toContain('scaledobjects.keda.sh');
    expect(controllersPreflight([RP], facts({ served: rp })).warnings).toHaveLength(1);
    expect(groupVersions([UD, WS, RP, { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2' }])).toEqual(['apps.kruise.io/v1alpha1', 'scheduling.alibabacloud.com/v1alpha1']);
    const lines = describeControllers(facts());
    expect(lines[0]).toBe('OpenKruise (UnitedDeployment, WorkloadSpread): UnitedDeployment usable; WorkloadSpread usable');
    expect(lines[1]).toContain('CRD not served');
    expect(lines[2]).toMatch(/^KEDA \(ScaledObject\): not usable — the cluster does not serve scaledobjects/);
    expect(servedKinds(facts()).map((k) => k.kind)).toEqual(['UnitedDeployment', 'WorkloadSpread']);
  });

  it('tells a webhook kruise did not answer from the object\'s own error', () => {
    const down = webhookFailure('UnitedDeployment', 'Internal error occurred: failed calling webhook "mutate.apps.kruise.io.v1alpha1.uniteddeployment": failed to call webhook: Post "https://10.0.0.5:9876/mutate": dial tcp 10.0.0.5:9876: connect: connection refused')!;
    expect(down.message).toContain('did not answer for the UnitedDeployment (webhook mutate.apps.kruise.io.v1alpha1.uniteddeployment)');
    expect(down.hint).toContain('not running or not reachable');
    expect(webhookFailure('UnitedDeployment', 'admission webhook "vuniteddeployment.kb.io" denied the request: spec.topology.subsets[0].name: Invalid value')).toBeUndefined();
  });
});

describe('controllerFacts against a fake API server', () => {
  let server: Server;
  const kc = new KubeConfig();
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url!);
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/apis/apps.kruise.io/v1alpha1') return json(200, { kind: 'APIResourceList', groupVersion: 'apps.kruise.io/v1alpha1', resources: [{ name: 'uniteddeployments', kind: 'UnitedDeployment', namespaced: true, singularName: '', verbs: [] }, { name: 'uniteddeployments/scale', kind: 'Scale', namespaced: true, singularName: '', verbs: [] }] });
      if (req.url === `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${KRUISE_WEBHOOKS[0]}`) return json(200, { metadata: { name: KRUISE_WEBHOOKS[0] }, webhooks: [{ name: 'a', clientConfig: { caBundle: 'Y2E=' } }, { name: 'b', clientConfig: { caBundle: 'Y2E=' } }] });
      if (req.url === `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${KRUISE_WEBHOOKS[1]}`) return json(200, { metadata: { name: KRUISE_WEBHOOKS[1] }, webhooks: [{ name: 'a', clientConfig: {} }] });
      if (req.url === '/apis/forbidden.example/v1') return json(403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'forbidden' });
      json(404, { kind: 'Status', code: 404, reason: 'NotFound' });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    kc.loadFromOptions({ clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads discovery per group-version (a 404 is "not served"), the webhooks\' CA bundles and the external metrics owner', async () => {
    const f = await controllerFacts(kc, ['apps.kruise.io/v1alpha1', 'keda.sh/v1alpha1']);
    expect([...f.served]).toEqual(['apps.kruise.io/v1alpha1/uniteddeployments']);
    expect(f.webhooks).toEqual({ [KRUISE_WEBHOOKS[0]]: { caBundle: true }, [KRUISE_WEBHOOKS[1]]: { caBundle: false } });
    expect(f.externalMetrics).toEqual({ owner: 'none' });
    expect(seen).toContain('/apis/keda.sh/v1alpha1');
    // The validating configuration's empty bundle is what the rule refuses.
    expect(controllerPreflight(UD, f).refusal?.message).toContain('kruise-validating-webhook-configuration on the cluster has no CA bundle');
  });

  it('does not take a group it may not read for one that is not served', async () => {
    await expect(controllerFacts(kc, ['forbidden.example/v1'])).rejects.toThrow(/cannot read the API group forbidden\.example\/v1 on the existing cluster/);
  });
});
