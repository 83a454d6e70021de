import { z } from 'zod';

/**
 * The one address every component of the local cluster listens on. kwokctl's default is 0.0.0.0:
 * etcd (client and peer, plain HTTP, no auth) and kwok-controller would be reachable from any
 * network this machine is on (the Docker bridge included). kwokctl passes `options.bindAddress` to
 * etcd's listen/advertise URLs, kwok-controller's `--server-address` and the Kubernetes
 * components' `--bind-address`; the Kubernetes components get it again through their patches, so
 * no kwokctl default can reopen them.
 */
export const LOOPBACK = '127.0.0.1';

/**
 * Control-plane settings a replay compresses. HPA durations are virtual seconds; the kcm flags get
 * them divided by the compression factor k (and rounded to milliseconds, the flags are durations).
 */
export const hpaFlagsSchema = z.strictObject({
  syncPeriodSeconds: z.number().positive().default(15),
  downscaleStabilizationSeconds: z.number().nonnegative().default(300),
  tolerance: z.number().min(0).max(1).default(0.1),
  initialReadinessDelaySeconds: z.number().nonnegative().default(30),
  cpuInitializationPeriodSeconds: z.number().nonnegative().default(300),
});
export type HpaFlags = z.infer<typeof hpaFlagsSchema>;

/** The controllers a replay needs; the others only cost CPU on a 2-core machine. */
export const KCM_CONTROLLERS = [
  'horizontal-pod-autoscaler-controller',
  'deployment-controller',
  'replicaset-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
  'node-lifecycle-controller',
  'pod-garbage-collector-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'root-ca-certificate-publisher-controller',
];

export function goDuration(virtualSeconds: number, k: number): string {
  const msTotal = Math.max(1, Math.round((virtualSeconds * 1000) / k));
  return `${msTotal}ms`;
}

export interface ExtraArg {
  key: string;
  value: string;
  override?: boolean;
}

export function kubeControllerManagerArgs(h: HpaFlags, k: number): ExtraArg[] {
  return [
    { key: 'controllers', value: KCM_CONTROLLERS.join(',') },
    { key: 'horizontal-pod-autoscaler-sync-period', value: goDuration(h.syncPeriodSeconds, k) },
    { key: 'horizontal-pod-autoscaler-downscale-stabilization', value: goDuration(h.downscaleStabilizationSeconds, k) },
    { key: 'horizontal-pod-autoscaler-tolerance', value: String(h.tolerance) },
    { key: 'horizontal-pod-autoscaler-initial-readiness-delay', value: goDuration(h.initialReadinessDelaySeconds, k) },
    { key: 'horizontal-pod-autoscaler-cpu-initialization-period', value: goDuration(h.cpuInitializationPeriodSeconds, k) },
    { key: 'leader-elect', value: 'false' },
    { key: 'bind-address', value: LOOPBACK, override: true },
    // Replays create and delete pods in bursts; the default client QPS (20) would add lag the
    // production controller does not have at this scale.
    { key: 'kube-api-qps', value: '200' },
    { key: 'kube-api-burst', value: '400' },
  ];
}

/**
 * kube-controller-manager's whole command line when we start it ourselves (after kwokctl created
 * the rest): kwokctl's own flags for it, then ours. Its secure port is off (nothing here reads
 * its health endpoint), so it needs no free port.
 */
export function standaloneControllerManagerArgs(o: { kubeconfig: string; pkiDir: string; hpa: HpaFlags; k: number }): string[] {
  const base: ExtraArg[] = [
    { key: 'node-monitor-period', value: '25s' },
    { key: 'node-monitor-grace-period', value: '3m20s' },
    { key: 'kubeconfig', value: o.kubeconfig },
    { key: 'root-ca-file', value: `${o.pkiDir}/ca.crt` },
    { key: 'service-account-private-key-file', value: `${o.pkiDir}/admin.key` },
    { key: 'secure-port', value: '0' },
  ];
  return [...base, ...kubeControllerManagerArgs(o.hpa, o.k)].map((a) => `--${a.key}=${a.value}`);
}

export const PROXY_CLIENT_CN = 'kwok-admin';

/** The aggregation layer: lets an APIService (prometheus-adapter) be served through the apiserver. */
export function kubeApiserverArgs(pkiDir: string): ExtraArg[] {
  return [
    { key: 'requestheader-client-ca-file', value: `${pkiDir}/ca.crt` },
    // The proxy client certificate kwokctl generates (CN kwok-admin) is signed by the same CA as
    // ordinary clients, so only that name may assert X-Remote-User.
    { key: 'requestheader-allowed-names', value: PROXY_CLIENT_CN },
    { key: 'requestheader-username-headers', value: 'X-Remote-User' },
    { key: 'requestheader-group-headers', value: 'X-Remote-Group' },
    { key: 'requestheader-extra-headers-prefix', value: 'X-Remote-Extra-' },
    { key: 'enable-aggregator-routing', value: 'false' },
    { key: 'bind-address', value: LOOPBACK, override: true },
    { key: 'max-requests-inflight', value: '1000' },
    { key: 'max-mutating-requests-inflight', value: '500' },
  ];
}

export function kubeSchedulerArgs(): ExtraArg[] {
  return [
    { key: 'leader-elect', value: 'false' },
    { key: 'bind-address', value: LOOPBACK, override: true },
    { key: 'kube-api-qps', value: '200' },
    { key: 'kube-api-burst', value: '400' },
  ];
}

/**
 * kwokctl's configuration. `ports` (each of the binary runtime's port options, `ports.ts`) are
 * chosen by the caller: kwokctl's own choice collides when two clusters start at once.
 */
export function kwokctlConfiguration(opts: { pkiDir: string; hpa: HpaFlags; k: number; stages: object[]; ports?: Record<string, number> }): object[] {
  return [
    {
      apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
      kind: 'KwokctlConfiguration',
      options: { bindAddress: LOOPBACK, ...opts.ports },
      componentsPatches: [
        { name: 'kube-apiserver', extraArgs: kubeApiserverArgs(opts.pkiDir) },
        { name: 'kube-controller-manager', extraArgs: kubeControllerManagerArgs(opts.hpa, opts.k) },
        { name: 'kube-scheduler', extraArgs: kubeSchedulerArgs() },
      ],
    },
    ...opts.stages,
  ];
}
