import YAML from 'yaml';

/**
 * The admission webhook configurations the OpenKruise manager needs, pure. The manager sets up its
 * controllers only once its webhook controller has initialised, and that needs
 * `kruise-mutating-webhook-configuration` and `kruise-validating-webhook-configuration` to exist:
 * it fills in their CA bundle and, with `WEBHOOK_HOST` set, turns each webhook's Service into the
 * URL `https://<host>:<port><path>` (how an API server outside the cluster network reaches a
 * process on the host, as the aggregator reaches prometheus-adapter). Kept: the webhooks of the
 * kinds asked for (the UnitedDeployment's defaulting and validation), taken from the module's own
 * `config/webhook/manifests.yaml`; left out: the Pod, Node and other webhooks, so no pod creation
 * waits on the manager (with `failurePolicy: Fail` a stopped manager would refuse every pod).
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

/** The two configurations with only the webhooks for `resources` (plural names, e.g. `uniteddeployments`). */
export function webhookConfigurations(manifestsYaml: string, resources: readonly string[]): WebhookConfiguration[] {
  const docs = YAML.parseAllDocuments(manifestsYaml).map((d) => d.toJS() as WebhookConfiguration | null).filter((d): d is WebhookConfiguration => !!d?.kind);
  const out: WebhookConfiguration[] = [];
  for (const [kind, name] of [['MutatingWebhookConfiguration', MUTATING_NAME], ['ValidatingWebhookConfiguration', VALIDATING_NAME]] as const) {
    const doc = docs.find((d) => d.kind === kind);
    if (!doc) throw new Error(`the webhook manifests hold no ${kind}`);
    const webhooks = (doc.webhooks ?? []).filter((w) => (w.rules ?? []).some((r) => (r.resources ?? []).some((x) => resources.includes(x))));
    out.push({ apiVersion: doc.apiVersion, kind, metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'ebbflow' } }, webhooks });
  }
  const covers = (r: string) => out.some((c) => c.webhooks?.some((w) => w.rules?.some((x) => x.resources?.includes(r))));
  const missing = resources.filter((r) => !covers(r));
  if (missing.length) throw new Error(`the webhook manifests have no webhook for ${missing.join(', ')}`);
  return out;
}
