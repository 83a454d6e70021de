import { describe, expect, it } from 'vitest';
import { MUTATING_NAME, VALIDATING_NAME, webhookConfigurations } from './webhooks.ts';

// The shape of openkruise/kruise's config/webhook/manifests.yaml (controller-gen's output).
const hook = (name: string, path: string, resources: string[]) => `- admissionReviewVersions: [v1, v1beta1]
  clientConfig:
    service: {name: webhook-service, namespace: system, path: ${path}}
  failurePolicy: Fail
  name: ${name}
  rules:
  - apiGroups: [apps.kruise.io]
    apiVersions: [v1alpha1]
    operations: [CREATE, UPDATE]
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
${hook('vcloneset.kb.io', '/validate-apps-kruise-io-v1alpha1-cloneset', ['clonesets'])}${hook('vuniteddeployment.kb.io', '/validate-apps-kruise-io-v1alpha1-uniteddeployment', ['uniteddeployments'])}`;

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
    expect(() => webhookConfigurations(manifests, ['workloadspreads'])).toThrow(/no webhook for workloadspreads/);
    expect(() => webhookConfigurations(manifests.split('---').slice(0, 2).join('---'), ['uniteddeployments'])).toThrow(/no ValidatingWebhookConfiguration/);
  });
});
