import type { KubeObject } from './index.ts';

/**
 * Pure checks of rendered manifests against the rules this folder promises (manifests/README.md,
 * "Threat model"): Pod Security "restricted", egress that never reaches the instance metadata
 * service, images pinned by digest, the SLS port derived from the exporter's endpoint, and RBAC
 * verbs derived from the controller's API calls. The tests run them on every overlay; they are
 * written here because kube-score checks none of these (and the Pod Security admission only warns
 * for Deployments, and only on a live server).
 */

export interface PodSpecLike {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  volumes?: { name: string; hostPath?: unknown }[];
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
}
interface ContainerLike {
  name: string;
  image?: string;
  ports?: { hostPort?: number }[];
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    seccompProfile?: { type?: string };
    capabilities?: { drop?: string[]; add?: string[] };
  };
}

/** Every pod template (or pod) in the objects, named by its owner. */
export function podSpecs(objects: KubeObject[]): { owner: string; spec: PodSpecLike }[] {
  const out: { owner: string; spec: PodSpecLike }[] = [];
  for (const o of objects) {
    const s = o.spec as { template?: { spec?: PodSpecLike }; jobTemplate?: { spec?: { template?: { spec?: PodSpecLike } } } } | undefined;
    const spec = o.kind === 'Pod' ? (o.spec as PodSpecLike) : o.kind === 'CronJob' ? s?.jobTemplate?.spec?.template?.spec : ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(o.kind) ? s?.template?.spec : undefined;
    if (spec) out.push({ owner: `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, spec });
  }
  return out;
}

/** What Pod Security "restricted" (and the baseline it includes) would refuse in this pod spec. */
export function restrictedViolations(spec: PodSpecLike): string[] {
  const v: string[] = [];
  const pod = spec.securityContext ?? {};
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) v.push('host namespaces');
  for (const vol of spec.volumes ?? []) if (vol.hostPath) v.push(`volume ${vol.name}: hostPath`);
  if (pod.runAsUser === 0) v.push('pod runAsUser 0');
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) v.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) v.push(`${at}: allowPrivilegeEscalation must be false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) v.push(`${at}: capabilities must drop ALL`);
    for (const add of sc.capabilities?.add ?? []) if (add !== 'NET_BIND_SERVICE') v.push(`${at}: adds capability ${add}`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) v.push(`${at}: runAsNonRoot must be true`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) v.push(`${at}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push(`${at}: seccompProfile must be RuntimeDefault or Localhost`);
    for (const p of c.ports ?? []) if (p.hostPort) v.push(`${at}: hostPort ${p.hostPort}`);
  }
  return v;
}

/** The port the exporter reaches SLS on, as @alicloud/log reads `sls.endpoint`: a bare host is http. */
export function slsEndpointPort(endpoint: string): number {
  const m = /^(?:(https?):\/\/)?[^/:]+(?::(\d+))?\/?$/.exec(endpoint);
  if (!m) throw new Error(`"${endpoint}" is not host[:port] or http(s)://host[:port]`);
  return m[2] ? Number(m[2]) : m[1] === 'https' ? 443 : 80;
}

const DIGEST = /@sha256:[0-9a-f]{64}$/;
export const isPinnedByDigest = (image: string): boolean => DIGEST.test(image);

function ipv4(s: string): number {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${s}`);
  return parts.reduce((a, p) => a * 256 + p, 0);
}
/** Whether an IPv4 CIDR holds the address (IPv6 CIDRs hold no IPv4 address). */
export function cidrContains(cidr: string, ip: string): boolean {
  if (cidr.includes(':')) return false;
  const [base, len] = cidr.split('/') as [string, string | undefined];
  const bits = len === undefined ? 32 : Number(len);
  const size = 2 ** (32 - bits);
  return Math.floor(ipv4(base) / size) === Math.floor(ipv4(ip) / size);
}

interface NetworkPolicySpec {
  policyTypes?: string[];
  egress?: { to?: { ipBlock?: { cidr: string; except?: string[] }; namespaceSelector?: unknown; podSelector?: unknown }[]; ports?: { port?: number | string; protocol?: string }[] }[];
}

/**
 * Whether a NetworkPolicy lets its pods open TCP to `ip:port` outside the cluster's pods: a rule
 * with no `to` reaches everything, an ipBlock reaches its CIDR minus `except`; selectors reach pods
 * only. A policy without Egress in policyTypes does not restrict egress at all.
 */
export function egressAllows(policy: KubeObject, ip: string, port: number): boolean {
  const spec = policy.spec as NetworkPolicySpec;
  if (!(spec.policyTypes ?? []).includes('Egress')) return true;
  return (spec.egress ?? []).some((rule) => {
    const portOk = !rule.ports?.length || rule.ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === port));
    if (!portOk) return false;
    if (!rule.to?.length) return true;
    return rule.to.some((peer) => peer.ipBlock !== undefined && cidrContains(peer.ipBlock.cidr, ip) && !(peer.ipBlock.except ?? []).some((e) => cidrContains(e, ip)));
  });
}

/** `group/resource` → sorted verbs. */
export type Permissions = Record<string, string[]>;

const VERB: Record<string, string[]> = { list: ['list', 'watch'], read: ['get'], create: ['create'], replace: ['update'], patch: ['patch'], delete: ['delete'] };
const RESOURCE: Record<string, string> = { Deployment: 'apps/deployments', Pod: '/pods', Event: '/events', Namespace: '/namespaces' };

/**
 * The permissions a controller's source needs, from its typed client calls (`apps.createNamespacedDeployment(`,
 * `custom.patchNamespacedCustomObjectStatus(`…). A list call stands for an informer, hence list and
 * watch; custom objects are the ones `customResource` names (`group/plural`).
 */
export function permissionsFromClientCalls(source: string, customResource: string): Permissions {
  const out: Record<string, Set<string>> = {};
  const re = /\b\w+\.(list|read|create|replace|patch|delete)(?:Namespaced|Cluster)?(\w+?)(?:ForAllNamespaces)?\(/g;
  for (const m of source.matchAll(re)) {
    const [, op, kind] = m as unknown as [string, string, string];
    const resource = kind === 'CustomObject' ? customResource : kind === 'CustomObjectStatus' ? `${customResource}/status` : RESOURCE[kind];
    if (!resource) throw new Error(`no RBAC mapping for the client call ${m[0]}`);
    for (const verb of VERB[op]!) (out[resource] ??= new Set()).add(verb);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

/** The permissions a Role or ClusterRole grants, in the same shape. */
export function permissionsOfRole(role: KubeObject): Permissions {
  const out: Record<string, Set<string>> = {};
  for (const r of (role as { rules?: { apiGroups?: string[]; resources?: string[]; verbs?: string[] }[] }).rules ?? []) {
    for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) for (const v of r.verbs ?? []) (out[`${g}/${res}`] ??= new Set()).add(v);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}
