import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { freePort } from '../../core/ports.ts';
import { waitUntil } from '../../core/wait.ts';
import { clusterSupervisor, isRecordedProcess, type ProcessRecord, type Supervised } from '../local/index.ts';
import { applyCrds, rawApi } from '../local/raw-api.ts';
import { componentFiles, ensureBinaries, type ToolchainProgress } from '../toolchain/index.ts';
import { certificateNames, makeKedaCertificates } from './certs.ts';

/** The toolchain component that builds both processes and keeps KEDA's CRDs. */
export const KEDA_COMPONENT = 'keda';
const CRD_DIR = 'config/crd/bases/';
/** Where KEDA lives in a cluster by convention (its Services, its cluster-scoped objects' Secrets). */
export const KEDA_NAMESPACE = 'keda';
export const EXTERNAL_METRICS_GROUP = 'external.metrics.k8s.io';
export const EXTERNAL_METRICS_APISERVICE = `v1beta1.${EXTERNAL_METRICS_GROUP}`;
const SERVICE = 'keda-metrics-apiserver';

export interface RunningKeda {
  /** The operator's and the metrics apiserver's records (pid + start time), in that order. */
  processes: ProcessRecord[];
  /** The metrics apiserver's secure port (the aggregator reaches it there) and the operator's gRPC metrics service. */
  ports: { apiserver: number; metricsService: number; operatorHealth: number; operatorMetrics: number; apiserverMetrics: number };
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/** Every CRD of KEDA (ScaledObject, ScaledJob, the TriggerAuthentications, the CloudEventSources), each Established before this returns: the operator watches all of them. */
export async function installKedaCrds(kc: KubeConfig, files = componentFiles(KEDA_COMPONENT)): Promise<void> {
  const crds = Object.keys(files).filter((f) => f.startsWith(CRD_DIR) && f.endsWith('.yaml')).sort().map((f) => YAML.parse(readFileSync(files[f]!, 'utf8')) as { metadata: { name: string } });
  if (!crds.length) throw new Error(`the ${KEDA_COMPONENT} toolchain component kept no CRDs (${CRD_DIR})`);
  await applyCrds(kc, crds);
}

/**
 * The operator's flags: every listener on loopback and explicit (its metrics and the metrics
 * apiserver's both default to :8080), one replica without leader election (no Lease to wait
 * for), the certificates made here (no rotation, nothing patched: the APIService is ours).
 */
export function operatorArgs(o: { kubeconfig: string; certDir: string; metricsPort: number; healthPort: number; metricsServicePort: number }): string[] {
  return [
    `--kubeconfig=${o.kubeconfig}`,
    '--leader-elect=false',
    `--metrics-bind-address=127.0.0.1:${o.metricsPort}`,
    `--health-probe-bind-address=127.0.0.1:${o.healthPort}`,
    `--metrics-service-bind-address=127.0.0.1:${o.metricsServicePort}`,
    `--cert-dir=${o.certDir}`,
    `--ca-dir=${o.certDir}`,
    '--enable-cert-rotation=false',
    '--enable-webhook-patching=false',
    '--enable-apiservice-patching=false',
    '--zap-log-level=info',
    '--zap-encoder=console',
  ];
}

/**
 * The metrics apiserver's flags: its secure port on `bindAddress` (the aggregator's way in), the
 * operator's gRPC metrics service on loopback with the shared certificates. Its own `/metrics`
 * listener takes only a port (`:<port>`, every address, in cmd/adapter's RunMetricsServer).
 */
export function metricsApiserverArgs(o: { kubeconfig: string; certDir: string; securePort: number; bindAddress: string; metricsPort: number; metricsServicePort: number }): string[] {
  return [
    `--lister-kubeconfig=${o.kubeconfig}`,
    `--authentication-kubeconfig=${o.kubeconfig}`,
    `--authorization-kubeconfig=${o.kubeconfig}`,
    `--secure-port=${o.securePort}`,
    `--bind-address=${o.bindAddress}`,
    `--cert-dir=${o.certDir}`,
    `--tls-cert-file=${join(o.certDir, 'tls.crt')}`,
    `--tls-private-key-file=${join(o.certDir, 'tls.key')}`,
    `--port=${o.metricsPort}`,
    `--metrics-service-address=127.0.0.1:${o.metricsServicePort}`,
    '--zap-log-level=info',
    '--zap-encoder=console',
  ];
}

/** The ExternalName Service (the aggregator resolves it to https://<host>:<port>) and the APIService with our CA. */
export function externalMetricsObjects(o: { host: string; port: number; caPem: string }): { service: object; apiService: object } {
  return {
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICE, namespace: KEDA_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'ebbflow' } },
      spec: { type: 'ExternalName', externalName: o.host, ports: [{ name: 'https', port: o.port, protocol: 'TCP' }] },
    },
    apiService: {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: EXTERNAL_METRICS_APISERVICE, labels: { 'app.kubernetes.io/managed-by': 'ebbflow', 'app.kubernetes.io/part-of': 'keda' } },
      spec: {
        group: EXTERNAL_METRICS_GROUP,
        version: 'v1beta1',
        service: { name: SERVICE, namespace: KEDA_NAMESPACE, port: o.port },
        caBundle: Buffer.from(o.caPem).toString('base64'),
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    },
  };
}

/**
 * KEDA (operator and metrics apiserver, built on first use) as supervised processes of the local
 * cluster `cluster` (recorded, stopped with it, also after a crash): its CRDs, certificates made in
 * the run's directory, the APIService `v1beta1.external.metrics.k8s.io` through an ExternalName
 * Service to `host` (loopback; kind: the Docker network's gateway). Ready when the operator's
 * readiness check passes and the aggregator calls the APIService Available.
 */
export async function startKeda(opts: {
  cluster: string;
  dir: string;
  kubeconfig: string;
  kubeConfig: KubeConfig;
  /** How the API server reaches this machine (default loopback, `localhost`). */
  host?: string;
  progress?: ToolchainProgress;
  signal?: AbortSignal;
}): Promise<RunningKeda> {
  const bins = await ensureBinaries(['keda-operator', 'keda-metrics-apiserver'], opts.progress);
  const kc = opts.kubeConfig;
  await installKedaCrds(kc);
  await rawApi(kc, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: KEDA_NAMESPACE } });
  const host = opts.host ?? 'localhost';
  const certs = await makeKedaCertificates(join(opts.dir, 'keda-certs'), certificateNames({ ...(opts.host ? { host: opts.host } : {}), service: SERVICE, namespace: KEDA_NAMESPACE }));
  const [metricsService, operatorHealth, operatorMetrics, apiserver, apiserverMetrics] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const env = {
    ...process.env,
    KUBECONFIG: opts.kubeconfig,
    // Outside a pod there is no service-account namespace file: name KEDA's namespace.
    POD_NAMESPACE: KEDA_NAMESPACE,
    KEDA_CLUSTER_OBJECT_NAMESPACE: KEDA_NAMESPACE,
    WATCH_NAMESPACE: '',
  };
  const sup = clusterSupervisor(opts.cluster);
  const procs: Supervised[] = [];
  const stop = async () => {
    // The APIService first: left pointing at a stopped process it makes discovery fail for everyone.
    await rawApi(kc, 'DELETE', `/apis/apiregistration.k8s.io/v1/apiservices/${EXTERNAL_METRICS_APISERVICE}`).catch(() => {});
    const stuck = (await Promise.all(procs.map(async (p) => ((await p.stop(5000)) === 'stuck' ? `${p.label} (pid ${p.pid})` : undefined)))).filter(Boolean);
    if (stuck.length) throw new Error(`${stuck.join(', ')} did not exit after SIGKILL`);
  };
  const logTail = (lines = 20) => procs.map((p) => `--- ${p.label}\n${p.logTail(lines)}`).join('\n');
  try {
    procs.push(sup.spawn({
      label: 'keda-operator',
      bin: bins['keda-operator']!,
      args: operatorArgs({ kubeconfig: opts.kubeconfig, certDir: certs.dir, metricsPort: operatorMetrics, healthPort: operatorHealth, metricsServicePort: metricsService }),
      env,
      logFile: join(opts.dir, 'keda-operator.log'),
    }));
    procs.push(sup.spawn({
      label: 'keda-metrics-apiserver',
      bin: bins['keda-metrics-apiserver']!,
      args: metricsApiserverArgs({ kubeconfig: opts.kubeconfig, certDir: certs.dir, securePort: apiserver, bindAddress: opts.host ?? '127.0.0.1', metricsPort: apiserverMetrics, metricsServicePort: metricsService }),
      env,
      logFile: join(opts.dir, 'keda-metrics-apiserver.log'),
    }));
    const { service, apiService } = externalMetricsObjects({ host, port: apiserver, caPem: certs.caPem });
    // Another run's Service or APIService (other port, other CA) would point the aggregator elsewhere.
    await rawApi(kc, 'DELETE', `/api/v1/namespaces/${KEDA_NAMESPACE}/services/${SERVICE}`);
    await rawApi(kc, 'DELETE', `/apis/apiregistration.k8s.io/v1/apiservices/${EXTERNAL_METRICS_APISERVICE}`);
    const created = await rawApi(kc, 'POST', `/api/v1/namespaces/${KEDA_NAMESPACE}/services`, service);
    if (created.status >= 300) throw new Error(`creating Service ${KEDA_NAMESPACE}/${SERVICE}: ${String(created.json.message ?? created.status)}`);
    const registered = await rawApi(kc, 'POST', '/apis/apiregistration.k8s.io/v1/apiservices', apiService);
    if (registered.status >= 300) throw new Error(`creating APIService ${EXTERNAL_METRICS_APISERVICE}: ${String(registered.json.message ?? registered.status)}`);
    const alive = () => {
      const dead = procs.find((p) => !isRecordedProcess(p));
      if (dead) throw new Error(`${dead.label} exited before KEDA was ready:\n${dead.logTail(30)}`);
    };
    await waitUntil('keda-operator ready', 90_000, async () => {
      alive();
      const r = await fetch(`http://127.0.0.1:${operatorHealth}/readyz`).catch(() => undefined);
      return r?.ok || undefined;
    }, () => logTail(30), 200, opts.signal);
    await waitUntil(`APIService ${EXTERNAL_METRICS_APISERVICE} Available (KEDA's metrics apiserver behind the aggregator)`, 90_000, async () => {
      alive();
      const a = await rawApi(kc, 'GET', `/apis/apiregistration.k8s.io/v1/apiservices/${EXTERNAL_METRICS_APISERVICE}`);
      const conds = (a.json.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
      return conds.some((c) => c.type === 'Available' && c.status === 'True') || undefined;
    }, () => logTail(30), 200, opts.signal);
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
  return {
    processes: procs.map((p) => ({ label: p.label, pid: p.pid, startTime: p.startTime })),
    ports: { apiserver, metricsService, operatorHealth, operatorMetrics, apiserverMetrics },
    logTail,
    stop,
  };
}
