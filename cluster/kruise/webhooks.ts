import YAML from 'yaml';

/**
 * The admission webhook configurations the OpenKruise manager needs, pure. The manager sets up its
 * controllers only once its webhook controller has initialised, and that needs
 * `kruise-mutating-webhook-configuration` and `kruise-validating-webhook-configuration` to exist:
 * it fills in their CA bundle and, with `WEBHOOK_HOST` set, turns each webhook's Service into the
 * URL `https://<host>:<port><path>` (how an API server outside the cluster network reaches a
 * process on the host, as the aggregator reaches prometheus-adapter). Kept: the webhooks of the
 * kinds asked for (the UnitedDeployment's defaulting and validation, the WorkloadSpread's
 * validation, the CloneSet's defaulting and validation when a CloneSet is in the run), taken from the module's own `config/webhook/manifests.yaml`. The Pod webhooks only
 * when `pods` is asked for (a WorkloadSpread: the mutating one places each new pod in a subset,
 * the validating one counts a deleted pod back into its subset), and then only for the pods of
 * one workload (`podSelector` as their objectSelector) and with the validating one cut to DELETE:
 * with `failurePolicy: Fail` kept (a pod created while the manager is slow is retried by its
 * ReplicaSet rather than created outside every subset), a stopped manager can hold up only those
 * pods, never another workload's.
 */

export const MUTATING_NAME = 'kruise-mutating-webhook-configuration';
export const VALIDATING_NAME = 'kruise-validating-webhook-configuration';

interface Webhook {
  name: string;
  rules?: { apiGroups?: string[]; resources?: string[] }[];
  [k: string]: unknown;
}

interface WebhookConfiguration {
  apiVersion: string;
  kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  metadata: { name: string; labels?: Record<string, string> };
  webhooks?: Webhook[];
}

/** The two configurations with only the webhooks for `resources` (plural names, e.g. `uniteddeployments`); `pods` needs `podSelector`. */
export function webhookConfigurations(manifestsYaml: string, resources: readonly string[], podSelector?: Record<string, string>): WebhookConfiguration[] {
  if (resources.includes('pods') && !Object.keys(podSelector ?? {}).length) throw new Error('the pod webhooks need a podSelector (the labels of the one workload they serve)');
  const docs = YAML.parseAllDocuments(manifestsYaml).map((d) => d.toJS() as WebhookConfiguration | null).filter((d): d is WebhookConfiguration => !!d?.kind);
  const out: WebhookConfiguration[] = [];
  for (const [kind, name] of [['MutatingWebhookConfiguration', MUTATING_NAME], ['ValidatingWebhookConfiguration', VALIDATING_NAME]] as const) {
    const doc = docs.find((d) => d.kind === kind);
    if (!doc) throw new Error(`the webhook manifests hold no ${kind}`);
    const webhooks = (doc.webhooks ?? []).filter((w) => (w.rules ?? []).some((r) => (r.resources ?? []).some((x) => resources.includes(x))));
    out.push({ apiVersion: doc.apiVersion, kind, metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'ebbflow' } }, webhooks: webhooks.map((w) => (isPodWebhook(w) ? scopedPodWebhook(w, podSelector!) : w)) });
  }
  const covers = (r: string) => out.some((c) => c.webhooks?.some((w) => w.rules?.some((x) => x.resources?.includes(r))));
  const missing = resources.filter((r) => !covers(r));
  if (missing.length) throw new Error(`the webhook manifests have no webhook for ${missing.join(', ')}`);
  return out;
}

const isPodWebhook = (w: Webhook) => (w.rules ?? []).some((r) => (r.resources ?? []).includes('pods'));

/** A Pod webhook for one workload's pods: objectSelector on their labels; a validating one only on DELETE (what the WorkloadSpread counts). */
function scopedPodWebhook(w: Webhook, podSelector: Record<string, string>): Webhook {
  const validating = w.name.startsWith('v');
  const rules = (w.rules ?? []).map((r) => (validating ? { ...r, operations: ['DELETE'] } : r));
  return { ...w, rules, objectSelector: { matchLabels: { ...podSelector } } };
}

/**
 * The WorkloadSpread's CRD as the manager serves it: its two versions (v1alpha1, what ACK
 * documents, and v1beta1, stored) differ in field names (`requiredNodeSelectorTerm` →
 * `requiredNodeSelector`), so the API server converts through the manager's `/convert` (the
 * module's `config/crd/patches/webhook_in_workloadspreads.yaml`; the manager fills in the URL and
 * CA). Without it a v1alpha1 object would be stored with those fields pruned.
 */
export function withConversionWebhook<T extends { spec: Record<string, unknown> }>(crd: T): T {
  return {
    ...crd,
    spec: {
      ...crd.spec,
      conversion: {
        strategy: 'Webhook',
        webhook: { clientConfig: { service: { namespace: 'kruise-system', name: 'kruise-webhook-service', path: '/convert' } }, conversionReviewVersions: ['v1', 'v1beta1'] },
      },
    },
  };
}
