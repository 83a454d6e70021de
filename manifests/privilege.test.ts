import { describe, expect, it } from 'vitest';
import type { KubeObject } from './index.ts';
import { admissionConfinement, rbacNamespaces, writableNamespaces } from './privilege.ts';

const sa = { name: 'ctl', namespace: 'ops' };
const o = (kind: string, name: string, namespace: string | undefined, rest: object = {}): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...rest }) as KubeObject;
const writer = { rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'create'] }] };
const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', ns: string | undefined, roleKind: string) => o(kind, 'b', ns, { roleRef: { kind: roleKind, name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'ctl', namespace: 'ops' }] });
const policy = (over: { user?: string; actions?: string[]; expression?: string } = {}) => [
  o('ValidatingAdmissionPolicy', 'p', undefined, {
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'], operations: ['CREATE', 'UPDATE', 'DELETE'] }] },
      matchConditions: [{ name: 'c', expression: `request.userInfo.username == '${over.user ?? 'system:serviceaccount:ops:ctl'}'` }],
      validations: [{ expression: over.expression ?? "request.namespace != '' && !(request.namespace in ['kube-system', 'kube-public']) && has(namespaceObject.metadata.labels) && namespaceObject.metadata.labels['team.io/managed'] == 'yes'" }],
    },
  }),
  o('ValidatingAdmissionPolicyBinding', 'p', undefined, { spec: { policyName: 'p', validationActions: over.actions ?? ['Deny'] } }),
];
const namespaces = [o('Namespace', 'apps', undefined), o('Namespace', 'exporter', undefined), o('Namespace', 'kube-system', undefined)];
namespaces[0]!.metadata.labels = { 'team.io/managed': 'yes' };

describe('where the controller can create', () => {
  it('a Role bound in a namespace grants there only; a ClusterRoleBinding everywhere; a read-only role nowhere', () => {
    expect(rbacNamespaces([o('Role', 'r', 'apps', writer), binding('RoleBinding', 'apps', 'Role')], sa, 'apps/deployments', 'create')).toEqual(new Set(['apps']));
    expect(rbacNamespaces([o('ClusterRole', 'r', undefined, writer), binding('RoleBinding', 'exporter', 'ClusterRole')], sa, 'apps/deployments', 'create')).toEqual(new Set(['exporter']));
    expect(rbacNamespaces([o('ClusterRole', 'r', undefined, writer), binding('ClusterRoleBinding', undefined, 'ClusterRole')], sa, 'apps/deployments', 'create')).toBe('*');
    expect(rbacNamespaces([o('ClusterRole', 'r', undefined, writer), binding('ClusterRoleBinding', undefined, 'ClusterRole')], sa, '/pods', 'create')).toEqual(new Set());
    expect(rbacNamespaces([o('Role', 'r', 'apps', { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] }), binding('RoleBinding', 'apps', 'Role')], sa, '/pods', 'create')).toEqual(new Set(['apps']));
  });

  it('the admission policy narrows a cluster-wide grant to labelled namespaces, never kube-system', () => {
    const wide = [o('ClusterRole', 'r', undefined, writer), binding('ClusterRoleBinding', undefined, 'ClusterRole'), ...namespaces];
    expect(writableNamespaces(wide, sa, 'apps/deployments')).toBe('*');
    expect(admissionConfinement([...wide, ...policy()], sa)).toEqual({ label: { key: 'team.io/managed', value: 'yes' }, never: ['kube-system', 'kube-public'] });
    expect(writableNamespaces([...wide, ...policy()], sa, 'apps/deployments')).toEqual(new Set(['apps']));
    // Labelling kube-system does not open it.
    const labelled = structuredClone([...wide, ...policy()]);
    labelled.find((x) => x.metadata.name === 'kube-system')!.metadata.labels = { 'team.io/managed': 'yes' };
    expect(writableNamespaces(labelled, sa, 'apps/deployments')).toEqual(new Set(['apps']));
  });

  it('a policy that is not bound with Deny, is for another user, or has no label rule confines nothing', () => {
    const wide = [o('ClusterRole', 'r', undefined, writer), binding('ClusterRoleBinding', undefined, 'ClusterRole'), ...namespaces];
    expect(writableNamespaces([...wide, ...policy({ actions: ['Warn'] })], sa, 'apps/deployments')).toBe('*');
    expect(writableNamespaces([...wide, ...policy({ user: 'system:serviceaccount:ops:other' })], sa, 'apps/deployments')).toBe('*');
    expect(writableNamespaces([...wide, ...policy({ expression: "request.namespace != 'kube-system'" })], sa, 'apps/deployments')).toBe('*');
    expect(writableNamespaces([...wide, policy()[0]!], sa, 'apps/deployments')).toBe('*');
  });
});
