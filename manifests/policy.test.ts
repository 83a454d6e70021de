import { describe, expect, it } from 'vitest';
import type { KubeObject } from './index.ts';
import { asInput, podSecurityWarning } from './check.ts';
import YAML from 'yaml';
import { cidrContains, egressAllows, isPinnedByDigest, permissionsFromClientCalls, permissionsOfRole, restrictedViolations, slsEndpointPort, type PodSpecLike } from './policy.ts';

const policy = (egress: unknown[], policyTypes = ['Ingress', 'Egress']): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: { podSelector: {}, policyTypes, egress } });
const compliant = (): PodSpecLike => ({
  securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
});

describe('policy checks', () => {
  it('restrictedViolations: a compliant spec passes, each single breach is named', () => {
    expect(restrictedViolations(compliant())).toEqual([]);
    const breaches: [string, (s: PodSpecLike) => void][] = [
      ['runAsNonRoot', (s) => delete s.securityContext!.runAsNonRoot],
      ['seccompProfile', (s) => delete s.securityContext!.seccompProfile],
      ['allowPrivilegeEscalation', (s) => delete s.containers![0]!.securityContext!.allowPrivilegeEscalation],
      ['drop ALL', (s) => (s.containers![0]!.securityContext!.capabilities = { drop: ['NET_RAW'] })],
      ['adds capability SYS_ADMIN', (s) => (s.containers![0]!.securityContext!.capabilities!.add = ['SYS_ADMIN'])],
      ['privileged', (s) => (s.containers![0]!.securityContext!.privileged = true)],
      ['hostPath', (s) => (s.volumes = [{ name: 'h', hostPath: { path: '/' } }])],
      ['host namespaces', (s) => (s.hostNetwork = true)],
      ['runAsUser 0', (s) => (s.containers![0]!.securityContext!.runAsUser = 0)],
      ['hostPort', (s) => (s.containers![0]!.ports = [{ hostPort: 80 }])],
    ];
    for (const [what, breach] of breaches) {
      const s = compliant();
      breach(s);
      expect(restrictedViolations(s).join('; '), what).toContain(what);
    }
    // Container-level settings count as much as pod-level ones.
    const s = compliant();
    s.securityContext = {};
    s.containers![0]!.securityContext = { ...s.containers![0]!.securityContext, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
    expect(restrictedViolations(s)).toEqual([]);
  });

  it('slsEndpointPort reads the endpoint the way @alicloud/log does (bare host is http)', () => {
    expect(slsEndpointPort('cn-hangzhou-intranet.log.aliyuncs.com')).toBe(80);
    expect(slsEndpointPort('http://cn-hangzhou.log.aliyuncs.com')).toBe(80);
    expect(slsEndpointPort('https://cn-hangzhou.log.aliyuncs.com')).toBe(443);
    expect(slsEndpointPort('localhost:18080')).toBe(18080);
    expect(slsEndpointPort('https://sls.internal:8443/')).toBe(8443);
    expect(() => slsEndpointPort('ftp://x/y')).toThrow(/not host/);
  });

  it('egressAllows: a rule without peers reaches everything, ipBlock except carves addresses out, selectors reach pods only', () => {
    const before = policy([{ ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] }]);
    expect(egressAllows(before, '100.100.100.200', 80)).toBe(true);
    expect(egressAllows(before, '100.100.100.200', 22)).toBe(false);
    const after = policy([{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['100.100.100.200/32', '169.254.0.0/16'] } }], ports: [{ port: 443 }] }]);
    expect(egressAllows(after, '100.100.100.200', 443)).toBe(false);
    expect(egressAllows(after, '169.254.169.254', 443)).toBe(false);
    expect(egressAllows(after, '100.100.100.201', 443)).toBe(true);
    expect(egressAllows(after, '47.96.0.1', 80)).toBe(false);
    expect(egressAllows(policy([{ to: [{ namespaceSelector: {} }] }]), '100.100.100.200', 443)).toBe(false);
    expect(egressAllows(policy([], ['Ingress']), '100.100.100.200', 443)).toBe(true);
    expect(egressAllows(policy([{ ports: [{ port: 53, protocol: 'UDP' }] }]), '100.100.100.200', 53)).toBe(false);
    expect(cidrContains('10.0.0.0/8', '10.255.1.1')).toBe(true);
    expect(cidrContains('10.0.0.0/8', '11.0.0.0')).toBe(false);
    expect(cidrContains('::/0', '10.0.0.1')).toBe(false);
  });

  it('isPinnedByDigest: a tag is not a pin', () => {
    expect(isPinnedByDigest(`r.example/a/b@sha256:${'ab'.repeat(32)}`)).toBe(true);
    expect(isPinnedByDigest('r.example/a/b:1.0')).toBe(false);
    expect(isPinnedByDigest('r.example/a/b@sha256:abc')).toBe(false);
  });

  it('permissionsFromClientCalls maps typed client calls to RBAC, and refuses a call it cannot map', () => {
    const src = `
      apps.listNamespacedDeployment({ namespace }); apps.listDeploymentForAllNamespaces();
      custom.patchNamespacedCustomObjectStatus({}); custom.listClusterCustomObject({});
      core.createNamespacedEvent({}); apps.replaceNamespacedDeployment({}); deps.list(namespace); set.delete(key);`;
    expect(permissionsFromClientCalls(src, 'g.io/things')).toEqual({
      'apps/deployments': ['list', 'update', 'watch'],
      'g.io/things/status': ['patch'],
      'g.io/things': ['list', 'watch'],
      '/events': ['create'],
    });
    expect(() => permissionsFromClientCalls('core.readNamespacedSecret({})', 'g.io/things')).toThrow(/no RBAC mapping/);
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['watch', 'list'] }, { apiGroups: [''], resources: ['events'], verbs: ['create'] }] } as KubeObject;
    expect(permissionsOfRole(role)).toEqual({ 'apps/deployments': ['list', 'watch'], '/events': ['create'] });
  });

  it('podSecurityWarning picks the API server warning out of kubectl stderr', () => {
    const stderr = 'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false)\n';
    expect(podSecurityWarning(stderr)).toMatch(/^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation/);
    expect(podSecurityWarning('Warning: spec.template.metadata.annotations[foo]: deprecated\n')).toBeUndefined();
    expect(podSecurityWarning('')).toBeUndefined();
  });

  it('asInput keeps "on" a string for YAML 1.1 readers (kubectl, kube-score)', () => {
    const o = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { 'pod-identity.alibabacloud.com/injection': 'on', flag: 'yes' } } } as KubeObject;
    expect(YAML.parse(asInput(o), { version: '1.1' }).metadata.labels).toEqual({ 'pod-identity.alibabacloud.com/injection': 'on', flag: 'yes' });
    // What the check wrote before: YAML 1.2 leaves the value bare, and a 1.1 reader sees a boolean.
    expect(YAML.parse(YAML.stringify(o), { version: '1.1' }).metadata.labels['pod-identity.alibabacloud.com/injection']).toBe(true);
  });
});
