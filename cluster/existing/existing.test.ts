import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../core/errors.ts';
import { adapterChoice, describeFindings, kindAccessItems, requiredAccess, type ClusterFindings } from './check.ts';
import { existingCompressionNote } from './fidelity.ts';
import { pickHostAddress } from './host-address.ts';
import { adapterRuleFor, clusterAdapterHint, fixedLabels, serviceMonitorsFor, withScrapeAnnotations } from './scrape.ts';
import { decideNamespace, isOurs, ownedNamespace, OWNER_LABEL, RUN_ID_ANNOTATION } from './namespace.ts';
import { existingTarget, loadKubeconfig, validateHostAddress, validateNamespace } from './options.ts';

const dir = mkdtempSync(join(tmpdir(), 'ebf-existing-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: staging
  cluster: {server: 'https://10.0.0.1:6443', insecure-skip-tls-verify: true}
- name: other
  cluster: {server: 'https://10.0.0.2:6443'}
contexts:
- name: staging
  context: {cluster: staging, user: me}
- name: other
  context: {cluster: other, user: me}
current-context: staging
users:
- name: me
  user: {token: abc}
`;

const userError = (f: () => unknown): UserError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
};

describe('existing backend flags', () => {
  it('accepts a DNS-label namespace and refuses others and the cluster\'s own', () => {
    expect(validateNamespace('ebbflow-replay')).toBe('ebbflow-replay');
    expect(userError(() => validateNamespace('Ebbflow')).hint).toMatch(/DNS label/);
    expect(userError(() => validateNamespace('a'.repeat(64))).message).toMatch(/not a namespace name/);
    expect(userError(() => validateNamespace('-x')).message).toMatch(/not a namespace name/);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'kube-foo']) expect(userError(() => validateNamespace(n)).message).toMatch(/the cluster needs/);
  });

  it('takes the kubeconfig\'s current context or the one named, and refuses an unknown one', () => {
    expect(loadKubeconfig(file('ok.yaml', KUBECONFIG)).context).toBe('staging');
    const other = loadKubeconfig(file('ok2.yaml', KUBECONFIG), 'other');
    expect(other.context).toBe('other');
    expect(other.kubeConfig.getCurrentCluster()?.server).toBe('https://10.0.0.2:6443');
    expect(userError(() => loadKubeconfig(file('ok3.yaml', KUBECONFIG), 'prod')).hint).toBe('choose one of: staging, other');
  });

  it('names the file and line of a broken kubeconfig, a missing file and a file that is not a kubeconfig', () => {
    const bad = file('bad.yaml', 'apiVersion: v1\nclusters:\n  - name: [unclosed\n');
    expect(userError(() => loadKubeconfig(bad)).message).toMatch(new RegExp(`${bad}:\\d+: not valid YAML`));
    expect(userError(() => loadKubeconfig(join(dir, 'nope.yaml'))).message).toMatch(/cannot read kubeconfig .*no such file/);
    expect(userError(() => loadKubeconfig(file('notkc.yaml', 'a: 1\n'))).message).toMatch(/not a kubeconfig/);
    expect(userError(() => loadKubeconfig(file('noctx.yaml', KUBECONFIG.replace('current-context: staging\n', '')))).hint).toMatch(/--context/);
    expect(userError(() => loadKubeconfig(file('badurl.yaml', KUBECONFIG.replace("'https://10.0.0.1:6443'", 'not a url')))).message).toMatch(/not a URL/);
  });

  it('requires kubeconfig and namespace together', () => {
    expect(userError(() => existingTarget({ namespace: 'x' })).message).toMatch(/needs --kubeconfig/);
    expect(userError(() => existingTarget({ kubeconfig: file('k.yaml', KUBECONFIG) })).message).toMatch(/needs --namespace/);
    const t = existingTarget({ kubeconfig: file('k2.yaml', KUBECONFIG), namespace: 'ebf-a', hostAddress: '10.0.0.9' });
    expect(t).toMatchObject({ context: 'staging', namespace: 'ebf-a', hostAddress: '10.0.0.9' });
  });

  it('accepts addresses pods can reach and refuses loopback and junk', () => {
    for (const a of ['10.0.0.12', '172.18.0.1', 'host.example.com', 'fd00::1']) expect(validateHostAddress(a)).toBe(a);
    for (const a of ['127.0.0.1', 'localhost', '::1']) expect(userError(() => validateHostAddress(a)).message).toMatch(/loopback/);
    for (const a of ['300.1.1.1', 'a b', 'http://x']) expect(userError(() => validateHostAddress(a)).message).toMatch(/not an IP address/);
  });
});

describe('namespace ownership', () => {
  const ours = (phase = 'Active') => ({ ...ownedNamespace('ebf-a', 'run-1', new Date('2026-01-01T00:00:00Z')), status: { phase } });

  it('creates an absent namespace labelled and annotated with the run', () => {
    expect(decideNamespace('ebf-a', undefined)).toEqual({ action: 'create' });
    const ns = ownedNamespace('ebf-a', 'run-1', new Date('2026-01-01T00:00:00Z'));
    expect(ns.metadata?.labels?.[OWNER_LABEL]).toBe('ebbflow');
    expect(ns.metadata?.annotations).toMatchObject({ [RUN_ID_ANNOTATION]: 'run-1', 'ebbflow.io/started-at': '2026-01-01T00:00:00.000Z' });
  });

  it('refuses a namespace without our label, and an active one of another run', () => {
    const foreign = decideNamespace('team', { metadata: { name: 'team', labels: { 'app.kubernetes.io/managed-by': 'ebbflow' } }, status: { phase: 'Active' } });
    expect(foreign).toMatchObject({ action: 'refuse', message: expect.stringContaining('not created by ebbflow') as string });
    const busy = decideNamespace('ebf-a', ours());
    expect(busy).toMatchObject({ action: 'refuse', message: expect.stringContaining('run id run-1, started 2026-01-01T00:00:00.000Z') as string, hint: expect.stringContaining('kubectl delete namespace ebf-a') as string });
  });

  it('waits out a terminating namespace of an earlier run', () => {
    expect(decideNamespace('ebf-a', ours('Terminating'))).toEqual({ action: 'wait-gone' });
  });

  it('deletes only objects carrying this run\'s id', () => {
    expect(isOurs(ours(), 'run-1')).toBe(true);
    expect(isOurs(ours(), 'run-2')).toBe(false);
    expect(isOurs({ metadata: { name: 'v1beta2.custom.metrics.k8s.io' } }, 'run-1')).toBe(false);
    expect(isOurs(undefined, 'run-1')).toBe(false);
  });
});

describe('the cluster\'s custom metrics adapter', () => {
  const apiService = (name: string, available: string | undefined) => ({
    metadata: { name },
    spec: { group: 'custom.metrics.k8s.io', version: name.split('.')[0]!, service: { namespace: 'monitoring', name: 'prometheus-adapter' }, groupPriorityMinimum: 100, versionPriority: 100 },
    ...(available ? { status: { conditions: [{ type: 'Available', status: available, reason: available === 'True' ? 'Passed' : 'FailedDiscoveryCheck', message: 'no response', lastTransitionTime: new Date() }] } } : {}),
  });

  it('uses an Available one, registers ours only when there is none, refuses a broken one', () => {
    expect(adapterChoice([])).toEqual({ use: 'ours' });
    expect(adapterChoice([apiService('v1beta1.custom.metrics.k8s.io', 'False'), apiService('v1beta2.custom.metrics.k8s.io', 'True')])).toEqual({ use: 'cluster', apiService: 'v1beta2.custom.metrics.k8s.io', service: 'monitoring/prometheus-adapter' });
    const e = userError(() => adapterChoice([apiService('v1beta2.custom.metrics.k8s.io', 'False')]));
    expect(e.message).toMatch(/exists but is not Available \(FailedDiscoveryCheck: no response\); ebbflow never replaces/);
    const leftover = { ...apiService('v1beta2.custom.metrics.k8s.io', 'False'), metadata: { name: 'v1beta2.custom.metrics.k8s.io', annotations: { [RUN_ID_ANNOTATION]: 'run-9' } } };
    const e2 = userError(() => adapterChoice([leftover]));
    expect(e2.message).toContain('registered by ebbflow run run-9, which did not finish');
    expect(e2.hint).toContain('kubectl delete apiservice v1beta2.custom.metrics.k8s.io');
  });

  it('asks for APIService and CRD writes only when the run must register its own', () => {
    const cluster = requiredAccess('ebf-a', { ownAdapter: false, serviceMonitor: false, ewCrdPresent: true });
    expect(cluster.some((a) => a.resource === 'apiservices' && a.verb === 'create')).toBe(false);
    expect(cluster.some((a) => a.resource === 'customresourcedefinitions' && a.verb !== 'get')).toBe(false);
    expect(cluster.filter((a) => a.namespace === undefined).map((a) => `${a.verb} ${a.resource}`)).toEqual(['create namespaces', 'delete namespaces', 'get apiservices', 'get customresourcedefinitions']);
    const own = requiredAccess('ebf-a', { ownAdapter: true, serviceMonitor: true, ewCrdPresent: false });
    expect(own.filter((a) => a.resource === 'apiservices').map((a) => a.verb)).toEqual(['get', 'create', 'delete']);
    expect(own.filter((a) => a.resource === 'servicemonitors').every((a) => a.namespace === 'ebf-a')).toBe(true);
    expect(own.some((a) => a.resource === 'customresourcedefinitions' && a.verb === 'create')).toBe(true);
  });

  it('prints what it found, missing permissions each on a line', () => {
    const f: ClusterFindings = {
      server: 'https://10.0.0.1:6443', context: 'staging', version: 'v1.31.1-aliyun.1', adapter: { use: 'ours' }, serviceMonitorCrd: false, ewCrd: false,
      namespace: { name: 'ebf-a', state: 'foreign' },
      access: [{ verb: 'create', group: '', resource: 'namespaces', why: 'w', allowed: true }, { verb: 'create', group: 'apiregistration.k8s.io', resource: 'apiservices', why: 'register', allowed: false }],
    };
    const lines = describeFindings(f);
    expect(lines[0]).toBe('cluster https://10.0.0.1:6443 (context staging) is reachable, Kubernetes v1.31.1-aliyun.1');
    expect(lines).toContain('permissions: 1/2 allowed; missing:');
    expect(lines).toContain('  missing: create apiregistration.k8s.io/apiservices (register)');
    expect(lines.some((l) => l.includes('exists and is not ebbflow\'s'))).toBe(true);
    // Without what the cluster runs of the kinds' controllers, nothing is said about them; with it, one line each.
    expect(lines.some((l) => l.startsWith('OpenKruise'))).toBe(false);
    const withControllers = describeFindings({ ...f, controllers: { served: new Set(['scheduling.alibabacloud.com/v1alpha1/resourcepolicies']), webhooks: {}, externalMetrics: { owner: 'none' } } });
    expect(withControllers.find((l) => l.startsWith('OpenKruise'))).toMatch(/UnitedDeployment not usable — the cluster does not serve uniteddeployments\.apps\.kruise\.io/);
    expect(withControllers.find((l) => l.startsWith('ResourcePolicy'))).toContain('CRD served; the placement is the cluster scheduler\'s');
    expect(withControllers.find((l) => l.startsWith('KEDA'))).toContain('not usable');
  });

  it('lists a served kind\'s own rights on a line of its own, apart from the permissions every run needs', () => {
    const items = kindAccessItems('ebf-a', [{ kind: 'UnitedDeployment', group: 'apps.kruise.io', plural: 'uniteddeployments' }, { kind: 'ResourcePolicy', group: 'scheduling.alibabacloud.com', plural: 'resourcepolicies' }]);
    expect(items.filter((i) => i.kind === 'UnitedDeployment').map((i) => i.verb)).toEqual(['create', 'get', 'list', 'watch']);
    expect(items.every((i) => i.namespace === 'ebf-a')).toBe(true);
    const f: ClusterFindings = {
      server: 's', context: 'c', version: 'v1.31.1', adapter: { use: 'ours' }, serviceMonitorCrd: false, ewCrd: true, namespace: { name: 'ebf-a', state: 'absent' },
      access: [{ verb: 'create', group: '', resource: 'namespaces', why: 'w', allowed: true }],
      kindAccess: items.map((i) => ({ ...i, allowed: !(i.kind === 'ResourcePolicy' && i.verb === 'create') })),
    };
    const lines = describeFindings(f);
    expect(lines).toContain('permissions: 1/1 allowed');
    expect(lines).toContain('for a UnitedDeployment run: 4/4 allowed');
    expect(lines).toContain('for a ResourcePolicy run: 3/4 allowed; missing: create scheduling.alibabacloud.com/resourcepolicies in ebf-a');
  });
});

describe('the k=1 consequence', () => {
  it('says nothing at k=1 and names the real-time kcm constants in virtual time above it', () => {
    expect(existingCompressionNote(1)).toBeUndefined();
    const n = existingCompressionNote(10)!;
    expect(n).toContain('reactions appear 10× slower');
    expect(existingCompressionNote(4)).toContain('(= 60 virtual s and 20 virtual min at this k)');
    expect(n).toContain('(= 2.5 virtual min and 50 virtual min at this k)');
  });
});

describe('the cluster\'s own Prometheus and adapter', () => {
  const svc = { kind: 'Service', metadata: { name: 'sls-exporter', namespace: 'default', labels: { 'app.kubernetes.io/name': 'sls-exporter' } } };
  const sm = (name: string, match: Record<string, string>) => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name, namespace: 'default', labels: { team: 'a' } }, spec: { selector: { matchLabels: match }, endpoints: [{ port: 'metrics', relabelings: [{ action: 'replace', targetLabel: 'service', replacement: 'nginx' }] }] } });
  const rules = `rules:\n  - seriesQuery: 'active_devices{namespace!="",service!=""}'\n    resources: {overrides: {namespace: {resource: namespace}, service: {resource: service}}}\n    name: {matches: "^active_devices$", as: active_devices}\n    metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'\n  - seriesQuery: 'other_metric'\n`;

  it('moves the ServiceMonitor selecting the exporter into the run\'s namespace, labels kept', () => {
    const out = serviceMonitorsFor([svc, sm('sls-exporter', { 'app.kubernetes.io/name': 'sls-exporter' }), sm('workload', { app: 'nginx' })], svc, 'ebf-a');
    expect(out.map((o) => o.metadata.name)).toEqual(['sls-exporter']);
    expect(out[0]).toMatchObject({ metadata: { namespace: 'ebf-a', labels: { team: 'a' } }, spec: { namespaceSelector: { matchNames: ['ebf-a'] } } });
    expect(fixedLabels(out)).toEqual({ service: 'nginx' });
  });

  it('fixed labels come from metric relabelings too (the shipped ServiceMonitor), keep/drop rules aside', async () => {
    const { loadHarnessManifests } = await import('../../manifests/index.ts');
    const shipped = (await loadHarnessManifests()).objects.filter((o) => o.kind === 'ServiceMonitor' && o.metadata.name === 'sls-exporter');
    expect(fixedLabels(shipped)).toEqual({ namespace: 'default', service: 'nginx' });
    const keepOnly = { ...sm('x', {}), spec: { endpoints: [{ metricRelabelings: [{ action: 'keep', sourceLabels: ['__name__'], regex: 'a', targetLabel: 'ignored', replacement: 'no' }] }] } };
    expect(fixedLabels([keepOnly])).toEqual({});
  });

  it('annotates the exporter pods for an annotation-driven Prometheus', () => {
    const dep = { kind: 'Deployment', metadata: { name: 'sls-exporter' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: {} } } };
    expect(withScrapeAnnotations(dep, { port: 9464, path: '/metrics' })).toMatchObject({ spec: { template: { metadata: { labels: { a: 'b' }, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' } } } } });
    expect(dep.spec.template.metadata).toEqual({ labels: { a: 'b' } });
  });

  it('names the adapter rule that must serve the metric, and says when there is none', () => {
    expect(adapterRuleFor(rules, 'active_devices')).toContain('seriesQuery: active_devices{namespace!="",service!=""}');
    expect(adapterRuleFor(rules, 'active_devices')).not.toContain('other_metric');
    expect(adapterRuleFor(rules, 'queue_length')).toBeUndefined();
    const hint = clusterAdapterHint({ metric: 'active_devices', namespace: 'ebf-a', service: 'nginx', apiService: 'v1beta2.custom.metrics.k8s.io', adapterService: 'monitoring/prometheus-adapter', rulesYaml: rules, serviceMonitor: true, labels: { service: 'nginx' } });
    expect(hint).toContain('/apis/custom.metrics.k8s.io/v1beta2/namespaces/ebf-a/services/nginx/active_devices');
    expect(hint).toContain('active_devices{namespace="ebf-a",service="nginx"}');
    expect(hint).toContain('serviceMonitorSelector');
    expect(clusterAdapterHint({ metric: 'q', namespace: 'n', service: 's', apiService: 'a', adapterService: 'b', rulesYaml: 'rules: []', serviceMonitor: false, labels: {} })).toContain('the manifests hold none');
  });
});

describe('the host address pods reach', () => {
  const nic = (address: string, internal = false, family: 'IPv4' | 'IPv6' = 'IPv4') => ({ address, internal, family, netmask: '', mac: '', cidr: null }) as never;
  const ifs = { lo: [nic('127.0.0.1', true)], eth0: [nic('fd00::2', false, 'IPv6'), nic('192.0.2.2')], docker0: [nic('172.17.0.1')] };

  it('takes the source address towards a remote API server, else the first non-loopback IPv4', () => {
    expect(pickHostAddress('10.1.2.3', '10.1.0.7', ifs)).toBe('10.1.0.7');
    expect(pickHostAddress('127.0.0.1', '127.0.0.1', ifs)).toBe('192.0.2.2');
    expect(pickHostAddress('api.example.com', undefined, ifs)).toBe('192.0.2.2');
    expect(pickHostAddress('127.0.0.1', undefined, { lo: [nic('127.0.0.1', true)] })).toBeUndefined();
  });
});
