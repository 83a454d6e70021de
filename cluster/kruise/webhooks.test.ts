import { describe, expect, it } from 'vitest';
import { MUTATING_NAME, VALIDATING_NAME, webhookConfigurations, withConversionWebhook } from './webhooks.ts';

// The shape of openkruise/kruise's config/webhook/manifests.yaml (controller-gen's output).
const hook = (name: string, path: string, resources: string[], operations = 'CREATE, UPDATE') => `- admissionReviewVersions: [v1, v1beta1]
  clientConfig:
    service: {name: webhook-service, namespace: system, path: ${path}}
  failurePolicy: Fail
  name: ${name}
  rules:
  - apiGroups: [apps.kruise.io]
    apiVersions: [v1alpha1]
    operations: [${operations}]
    resources: [${resources.join(', ')}]
  sideEffects: None
`;
const manifests = `---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: mutating-webhook-configuration
webhooks:
${hook('mpod.kb.io', '/mutate-pod', ['pods'])}${hook('muniteddeployment.kb.io', '/mutate-apps-kruise-io-v1alpha1-uniteddeployment', ['uniteddeployments'])}---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: validating-webhook-configuration
webhooks:
${hook('vcloneset.kb.io', '/validate-apps-kruise-io-v1alpha1-cloneset', ['clonesets'])}${hook('vuniteddeployment.kb.io', '/validate-apps-kruise-io-v1alpha1-uniteddeployment', ['uniteddeployments'])}${hook('vworkloadspread.kb.io', '/validate-apps-kruise-io-workloadspread', ['workloadspreads'])}${hook('vpod.kb.io', '/validate-pod', ['pods'], 'UPDATE, DELETE')}${hook('vpodeviction.kb.io', '/validate-pod', ['pods/eviction'], 'CREATE')}`;

describe('the webhook configurations the manager fills in', () => {
  it('keeps the asked kinds\' webhooks under the names the manager looks for, and leaves the pod webhook out', () => {
    const [m, v] = webhookConfigurations(manifests, ['uniteddeployments']);
    expect(m!.metadata.name).toBe(MUTATING_NAME);
    expect(v!.metadata.name).toBe(VALIDATING_NAME);
    expect(m!.webhooks!.map((w) => w.name)).toEqual(['muniteddeployment.kb.io']);
    expect(v!.webhooks!.map((w) => w.name)).toEqual(['vuniteddeployment.kb.io']);
    expect(m!.webhooks![0]!.clientConfig).toEqual({ service: { name: 'webhook-service', namespace: 'system', path: '/mutate-apps-kruise-io-v1alpha1-uniteddeployment' } });
    expect(webhookConfigurations(manifests, ['uniteddeployments', 'clonesets'])[1]!.webhooks!.map((w) => w.name)).toEqual(['vcloneset.kb.io', 'vuniteddeployment.kb.io']);
  });

  it('says what the manifests lack', () => {
    expect(() => webhookConfigurations(manifests, ['sidecarsets'])).toThrow(/no webhook for sidecarsets/);
    expect(() => webhookConfigurations(manifests.split('---').slice(0, 2).join('---'), ['uniteddeployments'])).toThrow(/no ValidatingWebhookConfiguration/);
  });

  it('a WorkloadSpread: its validation and the pod webhooks, scoped to one workload\'s pods, the validating one only on DELETE, Fail kept', () => {
    const [m, v] = webhookConfigurations(manifests, ['workloadspreads', 'pods'], { app: 'web' });
    expect(m!.webhooks!.map((w) => w.name)).toEqual(['mpod.kb.io']);
    expect(v!.webhooks!.map((w) => w.name)).toEqual(['vworkloadspread.kb.io', 'vpod.kb.io']);
    for (const w of [m!.webhooks![0]!, v!.webhooks![1]!]) {
      expect(w.objectSelector).toEqual({ matchLabels: { app: 'web' } });
      expect(w.failurePolicy).toBe('Fail');
    }
    expect(m!.webhooks![0]!.rules![0]).toMatchObject({ operations: ['CREATE', 'UPDATE'] });
    expect(v!.webhooks![1]!.rules![0]).toMatchObject({ operations: ['DELETE'] });
    expect(v!.webhooks![0]!.objectSelector).toBeUndefined();
    expect(() => webhookConfigurations(manifests, ['workloadspreads', 'pods'])).toThrow(/pod webhooks need a podSelector/);
  });

  it('the WorkloadSpread\'s CRD converts between its versions through the manager', () => {
    const crd = withConversionWebhook({ metadata: { name: 'workloadspreads.apps.kruise.io' }, spec: { group: 'apps.kruise.io', versions: [] } });
    expect(crd.spec).toMatchObject({ group: 'apps.kruise.io', conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: { path: '/convert' } }, conversionReviewVersions: ['v1', 'v1beta1'] } } });
  });
});
