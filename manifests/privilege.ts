import type { KubeObject } from './index.ts';

/**
 * Where a ServiceAccount may create a kind of object, from rendered manifests, pure: the RBAC that
 * grants it (Roles through RoleBindings, ClusterRoles through either binding) and the admission
 * policy the cluster-wide component ships to confine it (components/cluster-wide-controller).
 * The manifests tests hold "the controller cannot create a Deployment or pod where the exporter's
 * identity lives, nor in kube-system" with it on every overlay; rbac.e2e.test.ts proves the same
 * on a real API server.
 */

export interface Subject {
  name: string;
  namespace: string;
}

type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[] };
type Binding = KubeObject & { roleRef?: { kind?: string; name?: string }; subjects?: { kind?: string; name?: string; namespace?: string }[] };

/** `group/resource`, e.g. `apps/deployments`, `/pods` (the core group is empty). */
const grants = (rules: Rule[] | undefined, resource: string, verb: string) => {
  const [group, res] = resource.split('/') as [string, string];
  return (rules ?? []).some((r) => (r.apiGroups ?? []).some((g) => g === group || g === '*') && (r.resources ?? []).some((x) => x === res || x === '*') && (r.verbs ?? []).some((v) => v === verb || v === '*'));
};

const bindsTo = (b: Binding, s: Subject) => (b.subjects ?? []).some((x) => x.kind === 'ServiceAccount' && x.name === s.name && (x.namespace ?? b.metadata.namespace) === s.namespace);

/** Namespaces where RBAC lets the subject `verb` the resource, or '*' for all of them (a ClusterRoleBinding). */
export function rbacNamespaces(objects: KubeObject[], s: Subject, resource: string, verb: string): Set<string> | '*' {
  const role = (kind: string, name: string | undefined, ns?: string) => objects.find((o) => o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === ns)) as (KubeObject & { rules?: Rule[] }) | undefined;
  const out = new Set<string>();
  for (const b of objects.filter((o): o is Binding => (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && bindsTo(o as Binding, s))) {
    const r = role(b.roleRef?.kind ?? '', b.roleRef?.name, b.metadata.namespace);
    if (!grants(r?.rules, resource, verb)) continue;
    if (b.kind === 'ClusterRoleBinding') return '*';
    out.add(b.metadata.namespace ?? 'default');
  }
  return out;
}

export interface Confinement {
  /** The namespace label a write needs. */
  label: { key: string; value: string };
  /** Namespaces refused even with the label. */
  never: string[];
}

type Vap = KubeObject & { spec?: { matchConstraints?: { resourceRules?: (Rule & { operations?: string[] })[] }; matchConditions?: { expression?: string }[]; validations?: { expression?: string }[] } };

/**
 * The admission policy confining the subject's writes, read from the shape this folder ships: a
 * ValidatingAdmissionPolicy matching the ServiceAccount's user name on create of every resource,
 * bound with Deny, whose validation requires a namespace label and names the namespaces it never
 * allows. Anything else (no binding, Warn only, another shape) confines nothing.
 */
export function admissionConfinement(objects: KubeObject[], s: Subject): Confinement | undefined {
  const user = `system:serviceaccount:${s.namespace}:${s.name}`;
  for (const p of objects.filter((o): o is Vap => o.kind === 'ValidatingAdmissionPolicy')) {
    const bound = objects.some((b) => b.kind === 'ValidatingAdmissionPolicyBinding' && (b.spec as { policyName?: string; validationActions?: string[] } | undefined)?.policyName === p.metadata.name && ((b.spec as { validationActions?: string[] }).validationActions ?? []).includes('Deny'));
    const forUser = (p.spec?.matchConditions ?? []).some((c) => (c.expression ?? '').replace(/\s+/g, ' ').includes(`request.userInfo.username == '${user}'`));
    const everything = (p.spec?.matchConstraints?.resourceRules ?? []).some((r) => r.apiGroups?.includes('*') && r.resources?.includes('*/*') && (r.operations ?? []).includes('CREATE'));
    const text = (p.spec?.validations ?? []).map((v) => v.expression ?? '').join(' ');
    const label = /namespaceObject\.metadata\.labels\['([^']+)'\]\s*==\s*'([^']+)'/.exec(text);
    const never = /!\(request\.namespace in \[([^\]]*)\]\)/.exec(text);
    if (bound && forUser && everything && label) return { label: { key: label[1]!, value: label[2]! }, never: never ? [...never[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!) : [] };
  }
  return undefined;
}

/**
 * Where the subject can really create the resource: RBAC's namespaces, narrowed by the admission
 * confinement when there is one; '*' means every namespace of the cluster. `namespaces`: those the
 * manifests declare, with their labels, plus kube-system (always there, never labelled by us).
 */
export function writableNamespaces(objects: KubeObject[], s: Subject, resource: string, verb = 'create'): Set<string> | '*' {
  const rbac = rbacNamespaces(objects, s, resource, verb);
  const c = admissionConfinement(objects, s);
  if (!c) return rbac;
  const declared = new Map<string, Record<string, string>>(objects.filter((o) => o.kind === 'Namespace').map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
  if (!declared.has('kube-system')) declared.set('kube-system', {});
  const allowed = [...declared].filter(([name, labels]) => labels[c.label.key] === c.label.value && !c.never.includes(name)).map(([name]) => name);
  return new Set(rbac === '*' ? allowed : allowed.filter((n) => rbac.has(n)));
}
