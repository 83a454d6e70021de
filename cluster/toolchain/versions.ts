/**
 * Every upstream binary ebbflow runs, pinned in this one file. Changing a version here is the whole
 * upgrade: the cache key includes it, so the next `ebbflow toolchain install` rebuilds.
 *
 * Kubernetes 1.36.1 is the release KWOK v0.8.0 itself targets (its consts.KubeVersion).
 */

export type BuildRecipe =
  /** k8s.io/kubernetes cannot be `go install`ed: its go.mod replaces staging modules with local paths. */
  | { kind: 'kubernetes'; version: string; commands: string[] }
  /**
   * A module whose mains we build from a generated wrapper module requiring it. Preferred over
   * `go install pkg@version`, which also lists the module's versions to look for deprecations and
   * so fails on proxies that serve a version but not the list.
   */
  | {
    kind: 'go';
    module: string;
    version: string;
    packages: { pkg: string; binary: string }[];
    /**
     * The module's own `replace` lines (`old => new version`), which a wrapper module must repeat:
     * Go honours replacements of the main module only, and some modules build only with theirs.
     */
    replace?: string[];
    /** The module's own `exclude` lines (`module version`), repeated for the same reason as `replace`. */
    exclude?: string[];
    /** Extra `-X` flags (after `-ldflags`): the version a binary reports when it has no build info for it. */
    ldflags?: string[];
    /**
     * Files of the module (paths inside it; one ending in `/` is a directory, its files kept) beside
     * the binaries: the CRDs and webhook configurations a controller needs.
     */
    files?: string[];
  }
  /** A Debian package, used from the system if installed, else extracted into the cache. */
  | { kind: 'debian'; package: string; version: string; paths: { binary: string; path: string }[] }
  /** PyPI packages in a virtualenv of the system's python3; `binary` names the venv's interpreter. */
  | { kind: 'pip'; version: string; requirements: string[]; binary: string }
  /**
   * A Go main kept in this repository (`dir`, relative to the repo root) whose go.mod requires
   * `module` at `version`; rebuilt when its source changes.
   */
  | { kind: 'go-local'; dir: string; module: string; version: string; binary: string };

export interface Component {
  name: string;
  recipe: BuildRecipe;
  /** Rough share of a cold build, to weigh overall progress. */
  weight: number;
  /**
   * Built only when named or first needed (`ensureBinaries`): not part of a plain `ebbflow
   * toolchain install` nor of its cache key, so a user who never runs it never waits for it.
   */
  optional?: boolean;
}

export const KUBERNETES_VERSION = 'v1.36.1';
export const ETCD_VERSION = 'v3.6.16';
export const KWOK_VERSION = 'v0.8.0';
export const PROMETHEUS_ADAPTER_VERSION = 'v0.12.0';
export const K6_VERSION = 'v1.8.1';
/** Policy lint of manifests/ (kube-linter's module host is not reachable through the Go module proxy). */
export const KUBE_SCORE_VERSION = 'v1.20.0';
/** Lint of the GitHub Actions workflow `ebbflow init` writes (harness/init); the newest v1.7.x the module proxy lists. */
export const ACTIONLINT_VERSION = 'v1.7.12';
/** kind backend: kind itself (cluster/kind), built from the module proxy. */
export const KIND_VERSION = 'v0.33.0';
/** The kind backend's ECI node: cluster/vk-eci, a provider on virtual-kubelet's node library. */
export const VIRTUAL_KUBELET_VERSION = 'v1.14.1';
/** The Helm chart of manifests/ (manifests/chart): helm lint, helm template; built on demand. */
export const HELM_VERSION = 'v3.22.1';
export const PROMETHEUS_DEBIAN_VERSION = '2.42.0';
/** The official SLS SDKs the fake SLS is tested against (harness/fake-sls/sdk.e2e.test.ts). */
export const SLS_PYTHON_SDK_VERSION = '0.9.52';
/** zstd for the Python SDK's optional zstd codec. */
export const PYTHON_ZSTD_VERSION = '1.5.7.2';
/** prometheus_client for the "bring your own exporter" e2e test's Python exporter (same venv). */
export const PYTHON_PROMETHEUS_CLIENT_VERSION = '0.26.0';
/** The module proxy does not list this module's versions, so it must be pinned exactly. */
export const SLS_GO_SDK_VERSION = 'v0.1.124';
/**
 * OpenKruise's manager (the UnitedDeployment controller, kinds/placement/uniteddeployment): the
 * latest release. The module proxy resolves it by exact version (it refuses the version list).
 */
export const KRUISE_VERSION = 'v1.9.0';
/** openkruise/kruise v1.9.0's go.mod `replace` block, verbatim: without it the k8s.io modules resolve to versions it does not build with. */
export const KRUISE_REPLACE = [
  'golang.org/x/sys => golang.org/x/sys v0.19.0',
  ...['api', 'apiextensions-apiserver', 'apimachinery', 'apiserver', 'cli-runtime', 'client-go', 'cloud-provider', 'cluster-bootstrap', 'code-generator', 'component-base', 'component-helpers', 'controller-manager', 'cri-api', 'cri-client', 'csi-translation-lib', 'dynamic-resource-allocation', 'endpointslice', 'externaljwt', 'kms', 'kube-aggregator', 'kube-controller-manager']
    .map((m) => `k8s.io/${m} => k8s.io/${m} v0.32.10`),
  'k8s.io/kube-proxy => k8s.io/kube-proxy v0.30.9',
  'k8s.io/kube-scheduler => k8s.io/kube-scheduler v0.32.0',
  ...['kubectl', 'kubelet', 'legacy-cloud-providers', 'metrics', 'mount-utils', 'pod-security-admission', 'sample-apiserver']
    .map((m) => `k8s.io/${m} => k8s.io/${m} v0.32.10`),
];

/**
 * KEDA (kinds/scaler/keda, cluster/keda): the operator and its metrics apiserver, the newest release
 * that builds through the module proxy. Its go.mod's one `replace` and one `exclude`, verbatim:
 * without them the module graph does not resolve (the pseudo-version of nexus-proto-annotations) or
 * pulls a chi the module excludes.
 */
export const KEDA_VERSION = 'v2.21.0';
export const KEDA_REPLACE = ['github.com/nexus-rpc/nexus-proto-annotations v0.1.0 => github.com/nexus-rpc/nexus-proto-annotations v0.1.1-0.20260629224316-835bd8d49cb4'];
export const KEDA_EXCLUDE = ['github.com/go-chi/chi/v5 v5.2.3'];
/**
 * grafana/k6-operator (events-mode fleets as TestRuns, harness/replay/k6-operator.ts): the only
 * version the module proxy serves that builds — it refuses the version list, v1.x and most v0.0.x.
 */
export const K6_OPERATOR_VERSION = 'v0.0.19';

export const COMPONENTS: Component[] = [
  {
    name: 'kubernetes',
    weight: 60,
    recipe: {
      kind: 'kubernetes',
      version: KUBERNETES_VERSION,
      commands: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'],
    },
  },
  {
    name: 'etcd',
    weight: 5,
    recipe: {
      kind: 'go',
      module: 'go.etcd.io/etcd/server/v3',
      version: ETCD_VERSION,
      packages: [{ pkg: '', binary: 'etcd' }],
    },
  },
  {
    name: 'kwok',
    weight: 10,
    recipe: {
      kind: 'go',
      module: 'sigs.k8s.io/kwok',
      version: KWOK_VERSION,
      packages: [
        { pkg: 'cmd/kwok', binary: 'kwok' },
        { pkg: 'cmd/kwokctl', binary: 'kwokctl' },
      ],
    },
  },
  {
    name: 'prometheus-adapter',
    weight: 10,
    recipe: {
      kind: 'go',
      module: 'sigs.k8s.io/prometheus-adapter',
      version: PROMETHEUS_ADAPTER_VERSION,
      packages: [{ pkg: 'cmd/adapter', binary: 'prometheus-adapter' }],
    },
  },
  {
    name: 'k6',
    weight: 15,
    recipe: {
      kind: 'go',
      module: 'go.k6.io/k6',
      version: K6_VERSION,
      packages: [{ pkg: '', binary: 'k6' }],
    },
  },
  {
    name: 'kube-score',
    weight: 3,
    recipe: {
      kind: 'go',
      module: 'github.com/zegl/kube-score',
      version: KUBE_SCORE_VERSION,
      packages: [{ pkg: 'cmd/kube-score', binary: 'kube-score' }],
    },
  },
  {
    // Only the chart's tests and `helm` users need it: ensureBinaries(['helm']) builds it the first
    // time it is asked for, so a replay never waits for it.
    name: 'helm',
    weight: 4,
    recipe: {
      kind: 'go',
      module: 'helm.sh/helm/v3',
      version: HELM_VERSION,
      packages: [{ pkg: 'cmd/helm', binary: 'helm' }],
    },
  },
  {
    name: 'actionlint',
    weight: 2,
    recipe: {
      kind: 'go',
      module: 'github.com/rhysd/actionlint',
      version: ACTIONLINT_VERSION,
      packages: [{ pkg: 'cmd/actionlint', binary: 'actionlint' }],
    },
  },
  {
    name: 'sls-python-sdk',
    weight: 2,
    recipe: {
      kind: 'pip',
      // The build metadata names the other pins, so changing one of them makes a new cache entry.
      version: `${SLS_PYTHON_SDK_VERSION}+prometheus-client.${PYTHON_PROMETHEUS_CLIENT_VERSION}`,
      requirements: [`aliyun-log-python-sdk==${SLS_PYTHON_SDK_VERSION}`, `zstd==${PYTHON_ZSTD_VERSION}`, `prometheus-client==${PYTHON_PROMETHEUS_CLIENT_VERSION}`],
      binary: 'sls-python',
    },
  },
  {
    name: 'sls-go-client',
    weight: 3,
    recipe: {
      kind: 'go-local',
      dir: 'harness/fake-sls/clients/go',
      module: 'github.com/aliyun/aliyun-log-go-sdk',
      version: SLS_GO_SDK_VERSION,
      binary: 'sls-go-client',
    },
  },
  {
    // The kind backend's node image (cluster/kind/node-image.sh) runs these, built like the
    // control plane; a component of its own so the local backend never waits for them.
    name: 'kube-node',
    weight: 20,
    recipe: {
      kind: 'kubernetes',
      version: KUBERNETES_VERSION,
      commands: ['kubelet', 'kubeadm', 'kube-proxy'],
    },
  },
  {
    name: 'kind',
    weight: 5,
    recipe: {
      kind: 'go',
      module: 'sigs.k8s.io/kind',
      version: KIND_VERSION,
      packages: [{ pkg: '', binary: 'kind' }],
    },
  },
  {
    name: 'vk-eci',
    weight: 5,
    recipe: {
      kind: 'go-local',
      dir: 'cluster/vk-eci',
      module: 'github.com/virtual-kubelet/virtual-kubelet',
      version: VIRTUAL_KUBELET_VERSION,
      binary: 'vk-eci',
    },
  },
  {
    // Only a UnitedDeployment's or a WorkloadSpread's replay runs it: built the first time one asks for it.
    name: 'kruise',
    weight: 15,
    optional: true,
    recipe: {
      kind: 'go',
      module: 'github.com/openkruise/kruise',
      version: KRUISE_VERSION,
      packages: [{ pkg: '', binary: 'kruise-manager' }],
      replace: KRUISE_REPLACE,
      // Every CRD: the manager needs some beyond the kind a run uses (its field indexes want ImagePullJob's).
      files: ['config/crd/bases/', 'config/webhook/manifests.yaml'],
    },
  },
  {
    // Only a run with a ResourcePolicy needs it: built the first time one asks for it. It reuses the
    // Go build cache of the pinned kube-scheduler, so a build after the toolchain's takes seconds.
    name: 'resourcepolicy-scheduler',
    weight: 5,
    optional: true,
    recipe: {
      kind: 'go-local',
      dir: 'cluster/resourcepolicy/scheduler',
      module: 'k8s.io/kubernetes',
      version: KUBERNETES_VERSION,
      binary: 'resourcepolicy-scheduler',
    },
  },
  {
    // Only a ScaledObject's replay runs it (cluster/keda): built the first time one asks for it.
    name: 'keda',
    weight: 25,
    optional: true,
    recipe: {
      kind: 'go',
      module: 'github.com/kedacore/keda/v2',
      version: KEDA_VERSION,
      packages: [
        { pkg: 'cmd/operator', binary: 'keda-operator' },
        { pkg: 'cmd/adapter', binary: 'keda-metrics-apiserver' },
      ],
      replace: KEDA_REPLACE,
      exclude: KEDA_EXCLUDE,
      // Otherwise both log "KEDA Version: main".
      ldflags: [`-X github.com/kedacore/keda/v2/version.Version=${KEDA_VERSION.replace(/^v/, '')}`],
      files: ['config/crd/bases/'],
    },
  },
  {
    // Only a fleet run as a TestRun needs it (harness/replay/k6-operator.ts): built the first time one asks for it.
    name: 'k6-operator',
    weight: 15,
    optional: true,
    recipe: {
      kind: 'go',
      module: 'github.com/grafana/k6-operator',
      version: K6_OPERATOR_VERSION,
      packages: [{ pkg: '', binary: 'k6-operator' }],
      // The TestRun and PrivateLoadZone CRDs, and the ClusterRole the operator's pod runs with.
      files: ['config/crd/bases/', 'config/rbac/role.yaml'],
    },
  },
  {
    name: 'prometheus',
    weight: 2,
    recipe: {
      kind: 'debian',
      package: 'prometheus',
      version: PROMETHEUS_DEBIAN_VERSION,
      // promtool (same package): `promtool check rules` / `test rules` on the shipped alerts.
      paths: [
        { binary: 'prometheus', path: 'usr/bin/prometheus' },
        { binary: 'promtool', path: 'usr/bin/promtool' },
      ],
    },
  },
];

/** The binaries a component's recipe provides. */
export function recipeBinaries(c: Component): string[] {
  const r = c.recipe;
  return r.kind === 'kubernetes' ? r.commands : r.kind === 'debian' ? r.paths.map((p) => p.binary) : r.kind === 'go' ? r.packages.map((p) => p.binary) : [r.binary];
}

/** Binary name → the component that provides it. */
export function binaryOwners(): Map<string, Component> {
  const m = new Map<string, Component>();
  for (const c of COMPONENTS) for (const n of recipeBinaries(c)) m.set(n, c);
  return m;
}

/** The components a plain install builds and the cache key covers: every one not optional. */
export const DEFAULT_COMPONENTS: Component[] = COMPONENTS.filter((c) => !c.optional);

export function componentVersion(c: Component): string {
  return c.recipe.version;
}
