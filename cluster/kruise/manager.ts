import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { waitUntil } from '../../core/wait.ts';
import { clusterSupervisor, isRecordedProcess } from '../local/index.ts';
import { applyCrds, rawApi, serverSideApply } from '../local/raw-api.ts';
import { componentFiles, ensureBinaries, type ToolchainProgress } from '../toolchain/index.ts';
import { webhookConfigurations, withConversionWebhook } from './webhooks.ts';
import { freePort } from '../../core/ports.ts';

/** The toolchain component that builds the manager and keeps its CRDs and webhook configurations. */
export const KRUISE_COMPONENT = 'kruise';
const CRD_DIR = 'config/crd/bases/';
const WEBHOOK_FILE = 'config/webhook/manifests.yaml';

/** The kinds whose webhooks a run registers (plural resource names). */
export type KruiseResource = 'uniteddeployments' | 'clonesets' | 'workloadspreads' | 'pods';

export interface RunningKruise {
  pid: number;
  /** The port of its webhook server (it binds every address: main.go fixes the host to 0.0.0.0). */
  webhookPort: number;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}


/**
 * Every CRD of the module, each Established before this returns; those of `converted` (plural
 * names) with the manager's conversion webhook (the WorkloadSpread's two versions need it). All of them, not only the kind a
 * run uses: the manager asks discovery for each kind it knows (`utildiscovery.DiscoverGVK`), and a
 * missing kind costs it about 16 s of retries (4 steps from 500 ms, factor 5) — its start took
 * over 90 s with two CRDs — and it indexes ImagePullJobs unconditionally (it exits without that CRD).
 */
export async function installKruiseCrds(kc: KubeConfig, files = componentFiles(KRUISE_COMPONENT), converted: readonly string[] = []): Promise<void> {
  const crds = Object.keys(files).filter((f) => f.startsWith(CRD_DIR)).sort()
    .map((f) => YAML.parse(readFileSync(files[f]!, 'utf8')) as { metadata: { name: string }; spec: Record<string, unknown> & { names?: { plural?: string } } })
    .map((crd) => (converted.includes(crd.spec.names?.plural ?? '') ? withConversionWebhook(crd) : crd));
  for (const crd of crds) if (!converted.includes(crd.spec.names?.plural ?? '')) await dropConversionWebhook(kc, crd.metadata.name);
  await applyCrds(kc, crds);
}

/**
 * A CRD an earlier manager on this cluster converted (a WorkloadSpread run before a UnitedDeployment
 * one, on a cluster kept up) keeps the manager's own `caBundle` under its conversion webhook: applying
 * the CRD without a conversion then drops only our fields, and the API server refuses what is left
 * ("spec.conversion.strategy: Required value"). A merge patch removes the webhook whoever owns it.
 */
async function dropConversionWebhook(kc: KubeConfig, name: string): Promise<void> {
  const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`;
  const cur = await rawApi(kc, 'GET', path);
  if ((cur.json.spec as { conversion?: { strategy?: string } } | undefined)?.conversion?.strategy !== 'Webhook') return;
  const r = await rawApi(kc, 'PATCH', path, { spec: { conversion: { strategy: 'None', webhook: null } } }, 'application/merge-patch+json');
  if (r.status >= 300) throw new Error(`removing the conversion webhook of ${name}: ${String(r.json.message ?? r.status)}`);
}

/**
 * OpenKruise's manager (`kruise-manager`, built on first use) as a supervised process of the local
 * cluster `cluster`: every CRD of the module, the webhook configurations of the webhooks of `resources` (filled
 * in by the manager with its CA and `https://<host>:<port>` URLs: `host` is how the API server
 * reaches this machine — loopback for the local backend, the Docker network's gateway for kind),
 * leader election off, metrics off, its health probe on loopback; ready when its readiness check
 * passes (the webhook initialised, after which it starts its controllers).
 */
export async function startKruiseManager(opts: {
  cluster: string;
  dir: string;
  kubeconfig: string;
  kubeConfig: KubeConfig;
  resources?: readonly KruiseResource[];
  /** With `pods` among the resources: the labels of the one workload whose pods the pod webhooks serve. */
  podSelector?: Record<string, string>;
  host?: string;
  progress?: ToolchainProgress;
  signal?: AbortSignal;
}): Promise<RunningKruise> {
  const bin = (await ensureBinaries(['kruise-manager'], opts.progress))['kruise-manager']!;
  const files = componentFiles(KRUISE_COMPONENT);
  const resources = opts.resources ?? ['uniteddeployments'];
  const configs = webhookConfigurations(readFileSync(files[WEBHOOK_FILE]!, 'utf8'), resources, opts.podSelector);
  await installKruiseCrds(opts.kubeConfig, files, resources.filter((r) => r === 'workloadspreads'));
  for (const cfg of configs) {
    // A configuration left by an earlier run holds its template annotation and old CA: start clean.
    const path = `/apis/admissionregistration.k8s.io/v1/${cfg.kind === 'MutatingWebhookConfiguration' ? 'mutatingwebhookconfigurations' : 'validatingwebhookconfigurations'}`;
    await rawApi(opts.kubeConfig, 'DELETE', `${path}/${cfg.metadata.name}`);
    await serverSideApply(opts.kubeConfig, path, cfg);
  }
  const [webhookPort, healthPort] = [await freePort(), await freePort()];
  const proc = clusterSupervisor(opts.cluster).spawn({
    label: 'kruise-manager',
    bin,
    args: [
      `--kubeconfig=${opts.kubeconfig}`,
      '--enable-leader-election=false',
      '--metrics-addr=0',
      `--health-probe-addr=127.0.0.1:${healthPort}`,
      '--enable-pprof=false',
    ],
    env: {
      ...process.env,
      KUBECONFIG: opts.kubeconfig,
      WEBHOOK_HOST: opts.host ?? '127.0.0.1',
      WEBHOOK_PORT: String(webhookPort),
      // With WEBHOOK_HOST set the manager writes its self-signed certificates here, not to a Secret.
      WEBHOOK_CERT_DIR: join(opts.dir, 'kruise-webhook-certs'),
    },
    logFile: join(opts.dir, 'kruise-manager.log'),
  });
  const stop = async () => {
    if ((await proc.stop(5000)) === 'stuck') throw new Error(`kruise-manager (pid ${proc.pid}) did not exit after SIGKILL`);
  };
  try {
    await waitUntil('kruise-manager ready (its webhook initialised)', 90_000, async () => {
      if (!isRecordedProcess(proc)) throw new Error(`kruise-manager exited before it was ready:\n${proc.logTail(30)}`);
      const r = await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined);
      return r?.ok || undefined;
    }, () => proc.logTail(30), 200, opts.signal);
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
  return { pid: proc.pid, webhookPort, logTail: proc.logTail, stop };
}
