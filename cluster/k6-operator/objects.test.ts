import { describe, expect, it } from 'vitest';
import { collectionPath } from './operator.ts';
import { curlWrapper, imageDockerfile, K6_OPERATOR_NAMESPACE, lddLibraries, operatorObjects, stageReached, testRunObject } from './objects.ts';

describe('k6-operator objects', () => {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'manager-role' }, rules: [{ apiGroups: ['k6.io'], resources: ['testruns'], verbs: ['get'] }] };
  const objs = operatorObjects({ image: 'ebbflow/k6-operator:abc', role });

  it('binds the module ClusterRole, renamed, to the operator pod service account', () => {
    const cr = objs.find((o) => o.kind === 'ClusterRole')!;
    expect(cr.metadata.name).toBe('k6-operator');
    expect(cr.rules).toEqual(role.rules);
    const b = objs.find((o) => o.kind === 'ClusterRoleBinding') as unknown as { roleRef: { name: string }; subjects: { name: string; namespace: string }[] };
    expect(b.roleRef.name).toBe('k6-operator');
    expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'k6-operator', namespace: K6_OPERATOR_NAMESPACE }]);
  });

  it('runs the operator as a pod from the local image, never pulled, without the rbac proxy sidecar', () => {
    expect(objs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: K6_OPERATOR_NAMESPACE } });
    const d = objs.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { serviceAccountName: string; containers: { image: string; imagePullPolicy: string; command: string[] }[] } } } };
    const pod = d.spec.template.spec;
    expect(pod.serviceAccountName).toBe('k6-operator');
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0]).toMatchObject({ image: 'ebbflow/k6-operator:abc', imagePullPolicy: 'Never', command: ['/usr/local/bin/k6-operator'] });
  });

  it('the TestRun uses the one image for initializer, runners and starter, runners paused by default', () => {
    const t = testRunObject({ name: 'f', namespace: 'n', parallelism: 2, configMap: 'cm', file: 'fleet.js', image: 'img:1', env: { K6_NO_USAGE_REPORT: 'true' } }) as unknown as { spec: Record<string, Record<string, unknown>> & { parallelism: number } };
    expect(t.spec.parallelism).toBe(2);
    expect(t.spec.script).toEqual({ configMap: { name: 'cm', file: 'fleet.js' } });
    for (const k of ['runner', 'initializer', 'starter']) expect(t.spec[k]).toMatchObject({ image: 'img:1', imagePullPolicy: 'Never' });
    expect(t.spec.runner!.env).toEqual([{ name: 'K6_NO_USAGE_REPORT', value: 'true' }]);
    // Unset `paused` is the operator's default: runners wait for the starter.
    expect(t.spec).not.toHaveProperty('paused');
  });

  it('orders stages, error never counting as reached', () => {
    expect(stageReached('started', 'created')).toBe(true);
    expect(stageReached('finished', 'started')).toBe(true);
    expect(stageReached('created', 'started')).toBe(false);
    expect(stageReached('error', 'initialization')).toBe(false);
    expect(stageReached(undefined, 'initialization')).toBe(false);
  });

  it('collection paths for core, grouped, namespaced and cluster-scoped objects', () => {
    expect(collectionPath({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } })).toBe('/api/v1/namespaces');
    expect(collectionPath({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' } })).toBe('/api/v1/namespaces/n/configmaps');
    expect(collectionPath({ apiVersion: 'k6.io/v1alpha1', kind: 'TestRun', metadata: { name: 'x', namespace: 'n' } })).toBe('/apis/k6.io/v1alpha1/namespaces/n/testruns');
    expect(collectionPath({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'x' } })).toBe('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings');
  });
});

describe('the image', () => {
  it('reads libraries and the loader out of ldd', () => {
    const out = '\tlinux-vdso.so.1 (0x00007f)\n\tlibcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x00007f)\n\tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n';
    expect(lddLibraries(out)).toEqual({ libs: ['/lib/x86_64-linux-gnu/libcurl.so.4', '/lib/x86_64-linux-gnu/libz.so.1'], loader: '/lib64/ld-linux-x86-64.so.2' });
  });
  it('runs curl through its own loader and libraries, on the given base, non-root', () => {
    expect(curlWrapper('ld-linux-x86-64.so.2')).toContain('exec /opt/curl/ld-linux-x86-64.so.2 --library-path /opt/curl/lib /opt/curl/curl "$@"');
    const df = imageDockerfile('ebbflow/debian-minbase:bookworm');
    expect(df.split('\n')[0]).toBe('FROM ebbflow/debian-minbase:bookworm');
    expect(df).toContain('COPY k6 k6-operator /usr/local/bin/');
    expect(df).toMatch(/USER 65532/);
  });
});
