import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiregistrationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries } from '../../cluster/toolchain/index.ts';
import { freePort, startManaged, waitUntil, type ManagedProcess } from './process.ts';

export const CUSTOM_METRICS_GROUP = 'custom.metrics.k8s.io';

export interface RunningAdapter extends ManagedProcess {
  port: number;
}

/**
 * prometheus-adapter as a host process, served through the apiserver's aggregation layer. Endpoints
 * may not hold loopback addresses, but the aggregator resolves a Service of type ExternalName to
 * https://<externalName>:<port>, so `externalName: localhost` reaches a host process.
 */
export async function startAdapter(opts: {
  cluster: string;
  dir: string;
  kubeconfig: string;
  kubeConfig: KubeConfig;
  prometheusUrl: string;
  rulesYaml: string;
  /** Virtual seconds between series re-lists (adapter default 10 m); divided by k. */
  relistSeconds: number;
  compression: number;
  namespace?: string;
  /**
   * Where the adapter listens and the aggregator reaches it (default loopback, `localhost`): a kind
   * API server runs in a container and reaches the host at its Docker network's gateway address.
   */
  bindAddress?: string;
  /** Annotations on the APIServices it registers (the existing backend marks what its run created). */
  annotations?: Record<string, string>;
  /** Aborting ends the wait for the APIService (then `Interrupted`). */
  signal?: AbortSignal;
}): Promise<RunningAdapter> {
  const bin = (await ensureBinaries(['prometheus-adapter']))['prometheus-adapter']!;
  const port = await freePort();
  const rules = join(opts.dir, 'adapter-rules.yaml');
  writeFileSync(rules, opts.rulesYaml);
  const relistMs = Math.max(100, Math.round((opts.relistSeconds * 1000) / opts.compression));
  const proc = startManaged({
    cluster: opts.cluster,
    label: 'prometheus-adapter',
    bin,
    args: [
      `--lister-kubeconfig=${opts.kubeconfig}`,
      `--authentication-kubeconfig=${opts.kubeconfig}`,
      `--authorization-kubeconfig=${opts.kubeconfig}`,
      `--secure-port=${port}`,
      `--bind-address=${opts.bindAddress ?? '127.0.0.1'}`,
      `--cert-dir=${join(opts.dir, 'adapter-certs')}`,
      `--prometheus-url=${opts.prometheusUrl}`,
      `--config=${rules}`,
      `--metrics-relist-interval=${relistMs}ms`,
      '--v=2',
    ],
    logFile: join(opts.dir, 'prometheus-adapter.log'),
  });
  try {
    await registerAdapter(opts.kubeConfig, opts.namespace ?? 'monitoring', port, proc, { externalName: opts.bindAddress ?? 'localhost', ...(opts.annotations ? { annotations: opts.annotations } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (e) {
    await proc.stop().catch(() => {});
    throw e;
  }
  return { ...proc, port };
}

/** The ExternalName Service and both custom-metrics APIServices, then wait until the aggregator sees the adapter. */
async function registerAdapter(kc: KubeConfig, ns: string, port: number, proc: ManagedProcess, o: { externalName: string; annotations?: Record<string, string>; signal?: AbortSignal }): Promise<void> {
  const { externalName, annotations, signal } = o;
  const core = kc.makeApiClient(CoreV1Api);
  const reg = kc.makeApiClient(ApiregistrationV1Api);
  await core.createNamespace({ body: { metadata: { name: ns } } }).catch(() => {});
  const svcName = 'prometheus-adapter';
  await core.deleteNamespacedService({ name: svcName, namespace: ns }).catch(() => {});
  await core.createNamespacedService({
    namespace: ns,
    body: {
      metadata: { name: svcName, labels: { 'app.kubernetes.io/managed-by': 'ebbflow' } },
      spec: { type: 'ExternalName', externalName, ports: [{ name: 'https', port, protocol: 'TCP' }] },
    },
  });
  for (const version of ['v1beta1', 'v1beta2']) {
    const name = `${version}.${CUSTOM_METRICS_GROUP}`;
    await reg.deleteAPIService({ name }).catch(() => {});
    await reg.createAPIService({
      body: {
        metadata: { name, ...(annotations ? { annotations } : {}) },
        spec: {
          group: CUSTOM_METRICS_GROUP,
          version,
          service: { name: svcName, namespace: ns, port },
          insecureSkipTLSVerify: true,
          groupPriorityMinimum: 100,
          versionPriority: version === 'v1beta2' ? 200 : 100,
        },
      },
    });
  }
  await waitUntil(
    'the custom metrics APIService to become Available',
    60_000,
    async () => {
      const a = await reg.readAPIService({ name: `v1beta2.${CUSTOM_METRICS_GROUP}` });
      return a.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ? true : undefined;
    },
    () => proc.logTail(),
    100,
    signal,
  );
}
