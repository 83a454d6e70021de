import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { copyManifests, durationSeconds, loadHarnessManifests, MANIFESTS_DIR, renderOverlay, serviceMonitorToScrapeTarget, type KubeObject } from './index.ts';
import {
  egressAllows, isPinnedByDigest, permissionsFromClientCalls, permissionsOfRole, podSpecs, restrictedViolations, slsEndpointPort, type PodSpecLike,
} from './policy.ts';
import { admissionConfinement, writableNamespaces } from './privilege.ts';
import { EW_GROUP, EW_PLURAL } from '../cluster/elasticworkload/unit.ts';
import { buildHpa } from '../harness/replay/plan.ts';
import { parseScenario } from '../scenarios/index.ts';

const copies: { remove(): void }[] = [];
afterEach(() => copies.splice(0).forEach((c) => c.remove()));
const edit = (dir: string, file: string, from: string | RegExp, to: string) => {
  const p = join(dir, file);
  const before = readFileSync(p, 'utf8');
  const after = before.replace(from, to);
  expect(after, `${file} did not contain ${from}`).not.toBe(before);
  writeFileSync(p, after);
};

describe('manifests as the harness reads them', () => {
  it('renders both overlays; aliyun keeps the production endpoint, local points the exporter at the fake SLS', async () => {
    const aliyun = await renderOverlay('aliyun');
    const local = await renderOverlay('local');
    const cfg = (objs: typeof aliyun) => (objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('sls-exporter-config')) as unknown as { data: Record<string, string> }).data['config.yaml']!;
    expect(cfg(aliyun)).toContain('cn-hangzhou-intranet.log.aliyuncs.com');
    expect(cfg(local)).toContain('localhost:18080');
    expect(local.some((o) => o.kind === 'Secret')).toBe(true);
    expect(aliyun.some((o) => o.kind === 'Secret')).toBe(false);
    const hpa = local.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
    expect(hpa.apiVersion).toBe('autoscaling/v2');
  });

  it('the harness follows a change of the scrape interval, the adapter rule and the HPA in these files', async () => {
    const c = copyManifests();
    copies.push(c);
    edit(c.dir, 'base/exporter/servicemonitor.yaml', 'interval: 15s', 'interval: 30s');
    edit(c.dir, 'base/adapter/rules.yaml', "metricsQuery: 'max(", "metricsQuery: 'avg(");
    edit(c.dir, 'base/autoscaling/hpa.yaml', 'maxReplicas: 10', 'maxReplicas: 7');
    const m = await loadHarnessManifests({ dir: c.dir });
    expect(m.scrape.intervalSeconds).toBe(30);
    expect(serviceMonitorToScrapeTarget(m.scrape, '127.0.0.1:1').intervalSeconds).toBe(30);
    expect(m.adapterRulesYaml).toContain("metricsQuery: 'avg(");
    const scenario = await parseScenario('name: t\ncurve: {const: 1}\nwindows: [{start: "07:00", end: "07:10"}]\n', 't.yaml');
    expect((buildHpa(m.hpa, scenario, []).spec as { maxReplicas: number }).maxReplicas).toBe(7);
    // And the shipped files are what the harness reads by default.
    const shipped = await loadHarnessManifests();
    expect(shipped.scrape.intervalSeconds).toBe(15);
    expect((shipped.hpa.spec as { maxReplicas: number }).maxReplicas).toBe(10);
  });

  it('the exporter ServiceMonitor puts the series on Service nginx, as the adapter rule expects', async () => {
    const m = await loadHarnessManifests();
    const t = serviceMonitorToScrapeTarget(m.scrape, '127.0.0.1:9464');
    // Only the HPA's metric: a target relabeling would label every series of the exporter service="nginx".
    expect(t.metricRelabelings?.at(-1)).toEqual({ action: 'replace', source_labels: ['__name__'], regex: 'active_devices', target_label: 'service', replacement: 'nginx' });
    expect(t.relabelings?.filter((r) => (r as { target_label?: string }).target_label === 'service')).toEqual([{ source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' }]);
    expect(m.adapterRulesYaml).toContain('active_devices{namespace!="",service!=""}');
  });
});

// The rules of manifests/README.md ("Threat model"), on every overlay as kustomize renders it.
const PRODUCTION = ['aliyun', 'aliyun-cluster-wide'] as const;
const ALL = ['local', ...PRODUCTION] as const;
/** Namespaces the cluster has before ebbflow: labelled by a cluster admin (README.md), never declared here. */
const CLUSTER_NAMESPACES = ['default', 'monitoring'];
// An overlay that fails to render fails the tests that read it, not the whole block.
const renders: Record<string, KubeObject[] | Error> = {};
const rendered = new Proxy({} as Record<string, KubeObject[]>, {
  get: (_t, overlay: string) => {
    const r = renders[overlay];
    if (r instanceof Error || !r) throw r ?? new Error(`overlay ${overlay} not rendered`);
    return r;
  },
});
const find = (overlay: string, kind: string, name: string): KubeObject => {
  const o = rendered[overlay]!.find((x) => x.kind === kind && x.metadata.name === name);
  expect(o, `${overlay}: ${kind} ${name}`).toBeDefined();
  return o!;
};
type Container = { name: string; image: string; args?: string[]; env?: { valueFrom?: { secretKeyRef?: unknown } }[]; envFrom?: { secretRef?: unknown }[]; ports?: unknown[]; readinessProbe?: unknown; livenessProbe?: unknown; securityContext?: { readOnlyRootFilesystem?: boolean }; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };
const template = (d: KubeObject) => (d.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpecLike & { serviceAccountName?: string; containers: Container[] } } }).template;
const readRepo = (path: string) => readFileSync(join(MANIFESTS_DIR, '..', path), 'utf8');

describe('manifests: security rules on every overlay', () => {
  beforeAll(async () => {
    for (const o of ALL) renders[o] = await renderOverlay(o).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
  }, 60_000);

  it('the ElasticWorkload controller runs as a hardened Deployment; the namespace it watches is the one its Role grants', () => {
    expect(readRepo('harness/cli/commands/ew-controller.ts')).toMatch(/\.option\('--namespace <ns>'/);
    for (const overlay of ALL) {
      const t = template(find(overlay, 'Deployment', 'elasticworkload-controller'));
      const c = t.spec.containers[0]!;
      const exporter = template(find(overlay, 'Deployment', 'sls-exporter')).spec.containers[0]!;
      // Built and published like the exporter image: same registry path and tag (or digest form).
      expect(c.image.replace('/ew-controller', '/sls-exporter').replace(/@sha256:.*/, ''), overlay).toBe(exporter.image.replace(/@sha256:.*/, ''));
      expect(c.args?.[0]).toBe('ew-controller');
      expect(t.spec.serviceAccountName).toBe('elasticworkload-controller');
      expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
      for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
        expect(c.resources?.requests?.[r], `${overlay} request ${r}`).toBeDefined();
        expect(c.resources?.limits?.[r], `${overlay} limit ${r}`).toBeDefined();
      }
      // The controller serves nothing: no port, no probe to point at.
      expect([c.ports, c.readinessProbe, c.livenessProbe]).toEqual([undefined, undefined, undefined]);
    }
  });

  it('controller RBAC: only the verbs controller.ts calls, namespaced by default, cluster-wide only through the component', () => {
    const needed = permissionsFromClientCalls(readRepo('cluster/elasticworkload/controller.ts'), `${EW_GROUP}/${EW_PLURAL}`);
    expect(needed['apps/deployments']).toContain('create');
    const subjectOk = (b: KubeObject) => expect((b as { subjects?: unknown[] }).subjects).toEqual([{ kind: 'ServiceAccount', name: 'elasticworkload-controller', namespace: 'ebbflow-system' }]);
    for (const overlay of ['local', 'aliyun']) {
      expect(rendered[overlay]!.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding'), overlay).toEqual([]);
      const role = find(overlay, 'Role', 'ebbflow-elasticworkload-controller');
      expect(permissionsOfRole(role)).toEqual(needed);
      const binding = find(overlay, 'RoleBinding', 'ebbflow-elasticworkload-controller');
      expect(binding.metadata.namespace).toBe(role.metadata.namespace);
      expect((binding as { roleRef?: unknown }).roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
      subjectOk(binding);
      const ew = rendered[overlay]!.find((o) => o.kind === 'ElasticWorkload')!;
      expect(role.metadata.namespace).toBe(ew.metadata.namespace);
      expect(template(find(overlay, 'Deployment', 'elasticworkload-controller')).spec.containers[0]!.args).toEqual(['ew-controller', `--namespace=${role.metadata.namespace}`]);
    }
    const wide = 'aliyun-cluster-wide';
    expect(rendered[wide]!.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
    expect(permissionsOfRole(find(wide, 'ClusterRole', 'ebbflow-elasticworkload-controller'))).toEqual(needed);
    subjectOk(find(wide, 'ClusterRoleBinding', 'ebbflow-elasticworkload-controller'));
    expect(template(find(wide, 'Deployment', 'elasticworkload-controller')).spec.containers[0]!.args).toEqual(['ew-controller']);
  });

  it("least privilege: the controller can create Deployments and pods neither where the exporter's identity lives nor in kube-system", () => {
    const controller = { name: 'elasticworkload-controller', namespace: 'ebbflow-system' };
    for (const overlay of ALL) {
      const objs = rendered[overlay]!;
      const exporter = find(overlay, 'Deployment', 'sls-exporter');
      const identity = exporter.metadata.namespace!;
      // The exporter's ServiceAccount (RRSA role on ACK) and, locally, its credentials Secret.
      expect(find(overlay, 'ServiceAccount', template(exporter).spec.serviceAccountName!).metadata.namespace, overlay).toBe(identity);
      for (const sec of objs.filter((x) => x.kind === 'Secret')) expect(sec.metadata.namespace, `${overlay}: Secret ${sec.metadata.name}`).toBe(identity);
      const ewNamespaces = new Set(objs.filter((x) => x.kind === 'ElasticWorkload').map((x) => x.metadata.namespace));
      expect(ewNamespaces.has(identity), overlay).toBe(false);
      for (const resource of ['apps/deployments', '/pods']) {
        const writable = writableNamespaces(objs, controller, resource);
        expect(writable, `${overlay}: ${resource} confined`).not.toBe('*');
        expect([...(writable as Set<string>)].filter((n) => n === identity || n === 'kube-system'), `${overlay}: ${resource}`).toEqual([]);
      }
      // ... and it can still do its job where the ElasticWorkloads are.
      expect([...(writableNamespaces(objs, controller, 'apps/deployments') as Set<string>)].sort(), overlay).toEqual([...ewNamespaces].sort());
    }
    expect(admissionConfinement(rendered['aliyun-cluster-wide']!, controller)?.never).toEqual(['kube-system', 'kube-public', 'kube-node-lease']);
  });

  it('no NetworkPolicy lets a pod reach the instance metadata service or link-local space; every pod has an egress policy', () => {
    for (const overlay of ALL) {
      const policies = rendered[overlay]!.filter((o) => o.kind === 'NetworkPolicy');
      for (const p of policies) {
        for (const ip of ['100.100.100.200', '169.254.169.254', '169.254.20.10']) {
          for (const port of [53, 80, 443, 6443, 8080]) expect(egressAllows(p, ip, port), `${overlay} ${p.metadata.name} → ${ip}:${port}`).toBe(false);
        }
      }
      for (const d of rendered[overlay]!.filter((o) => o.kind === 'Deployment')) {
        const labels = template(d).metadata.labels;
        const covering = policies.filter((p) => p.metadata.namespace === d.metadata.namespace && Object.entries((p.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels).every(([k, v]) => labels[k] === v));
        expect(covering.some((p) => ((p.spec as { policyTypes?: string[] }).policyTypes ?? []).includes('Egress')), `${overlay}: ${d.metadata.name} has an egress policy`).toBe(true);
      }
    }
  });

  it('exporter egress: the SLS endpoint’s port only, and DNS to kube-dns only', () => {
    const publicIp = '47.96.0.1';
    for (const overlay of PRODUCTION) {
      const cfg = rendered[overlay]!.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('sls-exporter-config')) as unknown as { data: Record<string, string> };
      const endpoint = (YAML.parse(cfg.data['config.yaml']!) as { sls: { endpoint: string } }).sls.endpoint;
      const np = find(overlay, 'NetworkPolicy', 'sls-exporter');
      expect([53, 80, 443, 6443, 8080, 9464].filter((port) => egressAllows(np, publicIp, port)), overlay).toEqual([slsEndpointPort(endpoint)]);
      expect(slsEndpointPort(endpoint)).toBe(443);
    }
    for (const overlay of ALL) {
      for (const p of rendered[overlay]!.filter((o) => o.kind === 'NetworkPolicy')) {
        const dnsRules = ((p.spec as { egress?: { to?: unknown[]; ports?: { port?: number }[] }[] }).egress ?? []).filter((r) => r.ports?.some((x) => x.port === 53));
        for (const r of dnsRules) {
          expect(r.to, `${overlay} ${p.metadata.name}: DNS peers`).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }]);
        }
      }
    }
  });

  it('Pod Security restricted: every namespace is labelled (enforce, audit, warn) and every pod spec complies', () => {
    // default and monitoring are the cluster's: no overlay declares them (but for the label the
    // cluster-wide component needs on default); README.md gives the command that labels them.
    const readme = readFileSync(join(MANIFESTS_DIR, 'README.md'), 'utf8');
    for (const ns of CLUSTER_NAMESPACES) {
      for (const mode of ['enforce', 'audit', 'warn']) expect(readme, `README labels ${ns} ${mode}`).toMatch(new RegExp(String.raw`kubectl label[^\n]*namespace[^\n]* ${ns}\b[^\n]*pod-security\.kubernetes\.io/${mode}=restricted`));
    }
    for (const overlay of ALL) {
      const namespaces = rendered[overlay]!.filter((o) => o.kind === 'Namespace');
      for (const ns of namespaces) {
        for (const mode of ['enforce', 'audit', 'warn']) expect(ns.metadata.labels?.[`pod-security.kubernetes.io/${mode}`], `${overlay} ${ns.metadata.name} ${mode}`).toBe('restricted');
      }
      const declared = new Set([...namespaces.map((n) => n.metadata.name), ...CLUSTER_NAMESPACES]);
      for (const o of rendered[overlay]!) if (o.metadata.namespace) expect(declared.has(o.metadata.namespace), `${overlay}: ${o.kind} ${o.metadata.name} in a labelled namespace`).toBe(true);
      const pods = podSpecs(rendered[overlay]!);
      expect(pods.length).toBeGreaterThanOrEqual(3);
      for (const p of pods) expect(restrictedViolations(p.spec), `${overlay}: ${p.owner}`).toEqual([]);
    }
  });

  it('aliyun: every image is pinned by digest through kustomize images:, and the placeholder digest is documented', () => {
    for (const overlay of PRODUCTION) {
      const images = podSpecs(rendered[overlay]!).flatMap((p) => [...(p.spec.containers ?? []), ...(p.spec.initContainers ?? [])].map((c) => c.image!));
      expect(images.length).toBeGreaterThanOrEqual(3);
      for (const image of images) expect(isPinnedByDigest(image), `${overlay}: ${image}`).toBe(true);
    }
    const k = YAML.parse(readFileSync(join(MANIFESTS_DIR, 'overlays/aliyun/kustomization.yaml'), 'utf8')) as { images: { name: string; newName?: string; newTag?: string; digest?: string }[] };
    const readme = readFileSync(join(MANIFESTS_DIR, 'README.md'), 'utf8');
    for (const i of k.images) {
      expect(i.newTag, i.name).toBeUndefined();
      expect(i.digest, i.name).toMatch(/^sha256:[0-9a-f]{64}$/);
      if (/^sha256:0{64}$/.test(i.digest!)) expect(readme).toMatch(new RegExp(`placeholder[^\\n]*${i.digest}|${i.digest}[^\\n]*placeholder`, 'i'));
    }
  });

  it('aliyun uses RRSA (no long-lived key, no Secret); local keeps the fake SLS key pair in a Secret', () => {
    for (const overlay of PRODUCTION) {
      expect(rendered[overlay]!.filter((o) => o.kind === 'Secret'), overlay).toEqual([]);
      for (const p of podSpecs(rendered[overlay]!)) {
        for (const c of (p.spec.containers ?? []) as Container[]) {
          expect((c.env ?? []).filter((e) => e.valueFrom?.secretKeyRef), `${overlay}: ${p.owner}`).toEqual([]);
          expect((c.envFrom ?? []).filter((e) => e.secretRef), `${overlay}: ${p.owner}`).toEqual([]);
        }
      }
      const sa = find(overlay, 'ServiceAccount', 'sls-exporter');
      expect(sa.metadata.annotations?.['pod-identity.alibabacloud.com/role-name'], overlay).toMatch(/\S/);
      const labels = template(find(overlay, 'Deployment', 'sls-exporter')).metadata.labels;
      expect(labels['pod-identity.alibabacloud.com/injection']).toBe('on');
    }
    const local = template(find('local', 'Deployment', 'sls-exporter')).spec.containers[0]!;
    expect(local.env?.map((e) => (e.valueFrom?.secretKeyRef as { name?: string } | undefined)?.name)).toEqual(['sls-exporter-credentials', 'sls-exporter-credentials']);
    expect(find('local', 'Secret', 'sls-exporter-credentials')).toBeDefined();
  });
});

describe('the ServiceMonitor interval is read by units.ts', () => {
  it.each([['15s', 15], ['1m', 60], ['1m30s', 90], ['250ms', 0.25]])('%s → %d s', (d, s) => expect(durationSeconds(d)).toBe(s));

  it.each(['1m 30s', 'soon', '-15s', '', '15x'])('refuses %j naming the field', (d) => {
    expect(() => durationSeconds(d, 'ServiceMonitor sls-exporter: spec.endpoints[0].interval')).toThrow(/^ServiceMonitor sls-exporter: spec\.endpoints\[0\]\.interval: ".*" is not a Prometheus duration like 15s or 1m$/);
  });
});
