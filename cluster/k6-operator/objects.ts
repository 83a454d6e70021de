/**
 * grafana/k6-operator on a cluster without a registry, the pure part: the one image every pod of a
 * TestRun runs (operator, initializer, runners, starter), the operator's own objects and the TestRun.
 */

/** The namespace the operator runs in (its pod reads the initializer's log with its service account). */
export const K6_OPERATOR_NAMESPACE = 'k6-operator-system';
export const K6_OPERATOR_NAME = 'k6-operator';
/** The toolchain component that builds the operator and keeps its CRDs and ClusterRole. */
export const K6_OPERATOR_COMPONENT = 'k6-operator';
export const CRD_DIR = 'config/crd/bases/';
export const ROLE_FILE = 'config/rbac/role.yaml';
/** Non-root in every pod of ours; the operator's runner pods keep their own defaults. */
const NONROOT = 65532;

/**
 * The image's Dockerfile. The base is the Debian minbase the kind node image starts from: the
 * initializer runs `sh -c "mkdir … && k6 archive … && k6 inspect … ; ! cat … | grep …"`, so it needs a
 * shell and coreutils. curl (the starter's `curl -X PATCH …/v1/status` to each runner) is this
 * machine's, with the libraries `ldd` names and its own loader under /opt/curl, so it runs whatever
 * the distribution of the machine that built it.
 */
export function imageDockerfile(base: string): string {
  return [
    `FROM ${base}`,
    'COPY k6 k6-operator /usr/local/bin/',
    'COPY curl/ /opt/curl/',
    'COPY curl.sh /usr/local/bin/curl',
    `USER ${NONROOT}:${NONROOT}`,
    '',
  ].join('\n');
}

/** `curl` in the image: the copied binary through its copied loader and libraries. */
export function curlWrapper(loader: string): string {
  return `#!/bin/sh\nexec /opt/curl/${loader} --library-path /opt/curl/lib /opt/curl/curl "$@"\n`;
}

/** Library paths out of `ldd` output: the `=> /path` ones, and the loader (a line with only an absolute path). */
export function lddLibraries(out: string): { libs: string[]; loader: string | undefined } {
  const libs: string[] = [];
  let loader: string | undefined;
  for (const line of out.split('\n').map((l) => l.trim())) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    if (arrow) libs.push(arrow[1]!);
    else if (/^\/\S+\s+\(0x/.test(line)) loader = line.split(/\s+/)[0];
  }
  return { libs, loader };
}

type Obj = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

/**
 * The operator's namespace, service account, the module's ClusterRole (renamed, bound to that
 * account) and its Deployment: one replica without leader election or the `kube-rbac-proxy`
 * sidecar of the module's bundle (its image is not on the module proxy); metrics on the pod's port.
 */
export function operatorObjects(o: { image: string; role: Obj }): Obj[] {
  const ns = K6_OPERATOR_NAMESPACE;
  const labels = { 'app.kubernetes.io/name': K6_OPERATOR_NAME };
  const role: Obj = { ...o.role, metadata: { name: K6_OPERATOR_NAME } };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: K6_OPERATOR_NAME, namespace: ns } },
    role,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: K6_OPERATOR_NAME },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: K6_OPERATOR_NAME },
      subjects: [{ kind: 'ServiceAccount', name: K6_OPERATOR_NAME, namespace: ns }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: K6_OPERATOR_NAME, namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: K6_OPERATOR_NAME,
            terminationGracePeriodSeconds: 2,
            securityContext: { runAsNonRoot: true, runAsUser: NONROOT },
            containers: [{
              name: 'manager',
              image: o.image,
              imagePullPolicy: 'Never',
              command: ['/usr/local/bin/k6-operator'],
              args: ['--metrics-addr=:8080'],
              // v0.0.19 parses --health-addr but never serves it (main.go sets no HealthProbeBindAddress): /metrics answers once the manager runs.
              readinessProbe: { httpGet: { path: '/metrics', port: 8080 }, periodSeconds: 2 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
            }],
          },
        },
      },
    },
  ];
}

export interface TestRunInput {
  name: string;
  namespace: string;
  /** Runner pods; each runs one execution segment (1/parallelism) of the script's VUs. */
  parallelism: number;
  /** ConfigMap and key holding the k6 script. */
  configMap: string;
  file: string;
  image: string;
  /** Environment of the runners (e.g. K6_NO_USAGE_REPORT). */
  env?: Record<string, string>;
}

/**
 * The TestRun: runners paused until the starter's PATCH (the operator's default), our image for the
 * initializer, the runners and the starter (never pulled: there is no registry), runners kept after
 * the test (`cleanup` unset) so their logs can be read; the caller deletes the TestRun.
 */
export function testRunObject(i: TestRunInput): Obj {
  const pod = { image: i.image, imagePullPolicy: 'Never' };
  const env = Object.entries(i.env ?? {}).map(([name, value]) => ({ name, value }));
  return {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name: i.name, namespace: i.namespace },
    spec: {
      parallelism: i.parallelism,
      script: { configMap: { name: i.configMap, file: i.file } },
      runner: { ...pod, env },
      initializer: pod,
      starter: pod,
    },
  };
}

/** The operator's stages of a TestRun, in order (`status.stage`); `error` can follow any. */
export const STAGES = ['initialization', 'initialized', 'created', 'started', 'stopped', 'finished'] as const;

/** True once `stage` is `want` or a later stage (never for `error`). */
export function stageReached(stage: string | undefined, want: (typeof STAGES)[number]): boolean {
  const i = STAGES.indexOf(stage as (typeof STAGES)[number]);
  return i >= 0 && i >= STAGES.indexOf(want);
}
