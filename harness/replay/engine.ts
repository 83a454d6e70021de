import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ensureBinaries, type ToolchainProgress } from '../../cluster/toolchain/index.ts';
import { placementKind } from '../../kinds/registry.ts';
import type { KubeObject } from '../../manifests/index.ts';
import type { Scenario } from '../../scenarios/index.ts';
import { writeReports, type ReportFiles } from '../../reports/index.ts';
import { checkAll } from '../../core/checks/checks.ts';
import type { CheckResult } from '../../core/checks/expectations.ts';
import { Interrupted, Stack, type StopFailure } from '../../core/component.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Timeline, TimelineEvent, TimelineMeta, TimelineSample } from '../../core/timeline/format.ts';
import { AdapterComponent } from './components/adapter.ts';
import { ClusterComponent } from './components/cluster.ts';
import { PrometheusComponent } from './components/prometheus.ts';
import { ProbeComponent } from './components/probe.ts';
import { RecorderComponent, TimelineComponent } from './components/recorder.ts';
import { heldProbe, startSource } from './source.ts';
import { NAMESPACE, planReplay, timelineMeta, type ReplayPlan } from './plan.ts';
import { sleep, warmUp, type Pipeline, type ReplayCluster } from './warmup.ts';
import { backendToolchain, checkBackend, startBackendPipeline, type Backend } from './backends/index.ts';
import { preflightExporter } from './preflight.ts';

export { buildElasticWorkload, buildHpa } from './plan.ts';

/**
 * One replay: a scenario's curve through the fake SLS, the production exporter, Prometheus and
 * prometheus-adapter into the real HPA on a local cluster, the ElasticWorkload controller splitting
 * replicas over ECS and the ECI virtual node, everything recorded into a timeline, checked against
 * the scenario's expectations and written as reports. Ctrl-C (the abort signal) ends the replay early
 * and still writes what was recorded.
 */

export interface ReplayProgress {
  phase: 'setup' | 'warmup' | 'replay' | 'report';
  message: string;
  window?: number;
  windows?: number;
  /** Virtual seconds replayed so far and in total. */
  virtualDone?: number;
  virtualTotal?: number;
  virtualNow?: number;
  wallSeconds: number;
  /** With the message that ends the setup: when each part started and was ready (seconds after the input was planned). */
  setupTimings?: SetupTiming[];
}

/** One setup step (a component, `workload` or `kube-controller-manager`), from its start to ready, in wall seconds after planning. */
export interface SetupTiming {
  component: string;
  from: number;
  to: number;
}

export interface ReplayOptions {
  scenario: Scenario;
  out: string;
  baselineFile?: string;
  clusterName?: string;
  manifestsDir?: string;
  /** A team's manifests (kustomize directory, folder of YAML or one file); wins over the scenario's `manifests:`. */
  manifestsPath?: string;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (p: ReplayProgress) => void;
  /** Seconds to wait for the pipeline to reach a steady state before the clock starts. */
  warmupTimeoutSeconds?: number;
  /** Called after the last window, before teardown, with the live cluster (tests inspect it here). */
  beforeTeardown?: (cluster: ReplayCluster) => Promise<void>;
  /** Where the replay runs (default: the scenario's `backend:`, else local); harness/replay/README.md, "Backends". */
  backend?: Backend;
  /** The existing backend: the cluster's kubeconfig and the namespace ebbflow owns there. */
  kubeconfig?: string;
  namespace?: string;
  /** The existing backend: the kubeconfig context (default its current one) and the address its pods reach this machine at (default detected). */
  context?: string;
  hostAddress?: string;
  /** What discovering the manifests converted or assumed (e.g. a v2beta1 HPA run as v2), told before anything starts. */
  onManifestWarning?: (w: string) => void;
  /** Progress of a first-time toolchain build (a fresh machine builds it on the first replay). */
  toolchainProgress?: ToolchainProgress;
}

export interface ReplayResult {
  results: CheckResult[];
  passed: boolean;
  interrupted: boolean;
  files: ReportFiles;
  wallSeconds: number;
  warnings: string[];
  timeline: Timeline;
  /** The baseline run compared against (--baseline or the baseline expectation's file). */
  baseline?: Timeline;
}

type Progress = (p: Omit<ReplayProgress, 'wallSeconds'>) => void;

const TOOLCHAIN = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd', 'kwok', 'kwokctl', 'prometheus', 'prometheus-adapter'];
const toolchainFor = (s: Scenario) => (s.source.mode === 'events' ? [...TOOLCHAIN, 'k6'] : TOOLCHAIN);

export async function runReplay(o: ReplayOptions): Promise<ReplayResult> {
  const wallStart = performance.now();
  const wall = () => (performance.now() - wallStart) / 1000;
  const progress: Progress = (p) => o.onProgress?.({ ...p, wallSeconds: wall() });
  // Everything that can be wrong with the input is found before a process starts.
  const plan = await planReplay(o);
  const backend = o.backend ?? plan.scenario.backend;
  checkBackend(backend, plan, o);
  for (const w of await preflightExporter(plan)) {
    plan.warnings.push(w);
    o.onManifestWarning?.(w);
  }
  for (const w of plan.manifests.warnings ?? []) o.onManifestWarning?.(w);
  mkdirSync(o.out, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), `ebf-replay-${plan.scenario.name}-`));
  const stack = new Stack({ signal: o.signal, stopTimeoutMs: 60_000, progress: (c, m) => progress({ phase: 'setup', message: `${c}: ${m}` }) });
  const timeline = new TimelineComponent(join(o.out, 'timeline.jsonl'));
  let failure: unknown;
  let teardown: string[] = [];
  try {
    if (o.signal?.aborted) throw new Interrupted('interrupted before the replay started');
    await ensureBinaries(backend === 'local' ? toolchainFor(plan.scenario) : backendToolchain(backend), o.toolchainProgress);
    // The local pipeline applies the workload itself, beside the adapter's and kcm's start.
    const pipeline = backend === 'local' ? await startPipeline(stack, plan, o, workDir, progress) : await startBackendPipeline(backend, { stack, plan, options: o, workDir, progress, metric: objectMetric(plan) });
    if (backend !== 'local') await applyWorkload(pipeline.cluster, plan, pipeline.workload);
    await stack.up(timeline);
    timeline.write(timelineMeta(plan));
    await warmUp(pipeline, plan, o, progress);
    const recorder = await stack.up(recorderFor(pipeline, plan, timeline));
    await stack.up(new ProbeComponent(pipeline, plan, timeline.write));
    if (pipeline.fleet) await stack.up(heldProbe(plan, pipeline.fleet, timeline.write));
    await replayWindows(plan, o.signal, progress, () => recorder.sampleDue());
    await o.beforeTeardown?.(pipeline.cluster);
  } catch (e) {
    failure = e;
  } finally {
    progress({ phase: 'report', message: 'stopping the cluster and writing reports' });
    const stopFailures = await stack.stop();
    rmSync(workDir, { recursive: true, force: true });
    teardown = stopProblems(stopFailures, o.logger);
  }
  const interrupted = failure instanceof Interrupted || (o.signal?.aborted ?? false);
  if (interrupted) failure = undefined;
  const meta = timeline.records.find((r): r is TimelineMeta => r.kind === 'meta');
  if (failure && !meta) throw failure;
  return report(plan, o.out, timeline, { interrupted, failure, teardown, wallSeconds: wall() });
}

/**
 * Cluster, controller, fake SLS, exporter, Prometheus and adapter, each as soon as what it needs is
 * up: the data source and Prometheus beside the control plane (Prometheus hands its first targets
 * to its scrapers only at its 5 s discovery tick, which then passes while the cluster starts), the
 * controller and then the workload (Deployment, Service, ElasticWorkload, HPA) beside the adapter,
 * kcm once the CRD and the adapter are up (beside the workload's apply).
 */
async function startPipeline(stack: Stack, plan: ReplayPlan, o: ReplayOptions, workDir: string, progress: Progress): Promise<Pipeline> {
  const s = plan.scenario;
  const { system: sys } = plan;
  const k = s.compression;
  progress({ phase: 'setup', message: `starting the local cluster (k=${k}), fake SLS (${s.source.mode} mode), exporter and Prometheus` });
  const cluster = new ClusterComponent(
    {
      name: plan.clusterName,
      compression: k,
      ...(s.nodes ? { nodePools: s.nodes } : {}),
      hpa: { syncPeriodSeconds: sys.flags.syncPeriodSeconds, downscaleStabilizationSeconds: sys.flags.downscaleStabilizationSeconds, tolerance: sys.flags.tolerance },
    },
    o.toolchainProgress,
    // kcm starts last, once the ElasticWorkload CRD and the custom metrics API exist, so its
    // first discovery finds them instead of waiting for its 30 s RESTMapper reset.
    { deferControllerManager: true },
  );
  const [, { source, prometheus }] = await stack.concurrently([
    () => stack.up(cluster),
    async () => {
      // Processes go through the cluster's supervisor: only once a leftover of its name is cleared.
      await cluster.claimed;
      const source = await startSource(stack, plan, { workDir, logger: o.logger });
      const prometheus = await stack.up(new PrometheusComponent(() => ({ cluster: plan.clusterName, dir: workDir, compression: k, targets: [source.target] })));
      return { source, prometheus };
    },
  ] as const);
  progress({ phase: 'setup', message: 'starting the ElasticWorkload controller and prometheus-adapter, applying the workload' });
  const steps: SetupTiming[] = [];
  const timed = async (component: string, step: () => Promise<unknown>) => {
    const from = stack.elapsed();
    await step();
    steps.push({ component, from, to: stack.elapsed() });
  };
  // The placement kind's components: the ElasticWorkload's CRD and controller; none for a Deployment the HPA scales itself.
  const placement = plan.system.placement;
  const controllerUp = Promise.all(placementKind(placement.kind).components(placement, { kubeConfig: () => cluster.get().kubeConfig, namespace: plan.namespace, logger: o.logger }).map((c) => stack.up(c)));
  await stack.concurrently([
    async () => {
      await stack.up(
        new AdapterComponent(() => {
          const c = cluster.get();
          const rules = plan.manifests.adapterRulesYaml;
          return { cluster: c.name, dir: workDir, kubeconfig: c.kubeconfig, kubeConfig: c.kubeConfig, prometheusUrl: prometheus.get().url, rulesYaml: rules, relistSeconds: sys.pipeline.adapterRelistSeconds, compression: k };
        }),
      );
      await controllerUp;
      // kcm's first discovery must find the CRD and the custom metrics API; the HPA it may find later.
      await timed('kube-controller-manager', async () => cluster.get().startControllerManager?.());
    },
    // The workload as soon as the CRD exists: the first ElasticWorkload create after it took ~2 s
    // (measured), which then passes beside the adapter's start and kcm's. Second, so that when both
    // fail the adapter's own error is the one reported, not a create refused by a stopping cluster.
    () => controllerUp.then(() => timed('workload', () => applyWorkload(cluster.get(), plan))),
  ]);
  const timings = [...stack.timings, ...steps];
  progress({ phase: 'setup', message: `setup: ${describeSetup(timings)}`, setupTimings: timings });
  return { cluster: cluster.get(), exporter: source.exporter, prometheus: prometheus.get(), metric: objectMetric(plan), ...(source.fleet ? { fleet: source.fleet } : {}) };
}

/** `cluster 0.0–4.1 s, ew-controller 4.1–4.4 s, …`: where the setup's seconds went. */
export function describeSetup(timings: SetupTiming[]): string {
  return timings.map((t) => `${t.component} ${t.from.toFixed(1)}–${t.to.toFixed(1)} s`).join(', ');
}

/** The HPA's first Object metric on a Service, for the warm-up's and the probe's view of each stage. */
function objectMetric(plan: ReplayPlan): Pipeline['metric'] {
  const m = (plan.hpa.spec as { metrics?: { type: string; object?: { describedObject?: { kind?: string; name?: string }; metric?: { name?: string } } }[] }).metrics?.find((x) => x.type === 'Object' && x.object?.describedObject?.kind === 'Service');
  return m?.object?.describedObject?.name && m.object.metric?.name ? { namespace: plan.namespace, service: m.object.describedObject.name, name: m.object.metric.name } : undefined;
}

async function applyWorkload(cluster: { kubeConfig: KubeConfig }, plan: ReplayPlan, forBackend?: Pipeline['workload']): Promise<void> {
  const objs = KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
  // The manifests' own namespace; objects are applied without the rest of the team's cluster setup.
  const ns: KubeObject[] = plan.namespace === NAMESPACE ? [] : [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: plan.namespace } }];
  const deployment = forBackend ? forBackend(plan.manifests.businessDeployment) : plan.manifests.businessDeployment;
  const workload = [...ns, deployment, plan.manifests.businessService, plan.ew, plan.hpa].filter((x): x is KubeObject => x !== undefined);
  for (const obj of workload) {
    await objs.create(obj as KubernetesObject).catch((e: unknown) => {
      // A backend that deploys pods may have made the namespace already.
      if (obj.kind === 'Namespace' && (e as { code?: number }).code === 409) return;
      throw new Error(`applying ${obj.kind} ${obj.metadata.name}: ${(e as { body?: string }).body ?? String(e)}`);
    });
  }
}

function recorderFor(p: Pipeline, plan: ReplayPlan, timeline: TimelineComponent): RecorderComponent {
  const s = plan.scenario;
  return new RecorderComponent(() => ({
    kubeConfig: p.cluster.kubeConfig,
    namespace: plan.namespace,
    hpaName: plan.hpa.metadata.name,
    ewName: plan.ew?.metadata.name ?? plan.system.ew.sourceTarget.name,
    ...(plan.ew ? {} : { direct: true }),
    sourceName: plan.system.ew.sourceTarget.name,
    virtualNode: p.cluster.virtualNode,
    clock: plan.clock,
    devices: plan.devices,
    devicesPerReplica: s.devicesPerReplica,
    sampleEverySeconds: s.sampleEverySeconds,
    windows: timelineMeta(plan).windows,
    write: timeline.write,
  }));
}

/** The windows back to back on the virtual clock; returns when the last one ends. */
async function replayWindows(plan: ReplayPlan, signal: AbortSignal | undefined, progress: Progress, sampleDue: () => void): Promise<void> {
  const s = plan.scenario;
  let done = 0;
  for (const [i, w] of s.windows.entries()) {
    // The last samples of a window are taken before the clock leaves it, the first of the next at once.
    sampleDue();
    plan.clock.enter(i);
    sampleDue();
    const end = s.dayStartMs + w.end * 1000;
    for (;;) {
      if (signal?.aborted) throw new Interrupted();
      const now = plan.clock.now();
      progress({ phase: 'replay', message: `window ${i + 1}/${s.windows.length}`, window: i, windows: s.windows.length, virtualDone: done + Math.min(w.end - w.start, (now - plan.windowStartsMs[i]!) / 1000), virtualTotal: plan.virtualTotal, virtualNow: now });
      if (now >= end) break;
      await sleep(Math.min(250, Math.max(10, (end - now) / s.compression)), signal);
    }
    done += w.end - w.start;
  }
}

function stopProblems(failures: StopFailure[], log: Logger | undefined): string[] {
  for (const f of failures) log?.warn({ component: f.component, err: errorMessage(f.error) }, 'teardown failed');
  return failures.map((f) => `teardown: ${f.component} did not stop cleanly: ${errorMessage(f.error)}`);
}

/** Checks and reports over what was recorded, also for an interrupted or failed replay. */
function report(plan: ReplayPlan, out: string, timeline: TimelineComponent, r: { interrupted: boolean; failure: unknown; teardown: string[]; wallSeconds: number }): ReplayResult {
  const records = timeline.records;
  // Interrupted before the timeline started: the report still says what was planned.
  const meta = records.find((x): x is TimelineMeta => x.kind === 'meta') ?? timelineMeta(plan);
  const samples = records.filter((x): x is TimelineSample => x.kind === 'sample');
  const events = records.filter((x): x is TimelineEvent => x.kind === 'event');
  const errors: string[] = [...r.teardown];
  if (r.interrupted) meta.notes.push(`interrupted after ${r.wallSeconds.toFixed(0)} s wall; the report covers what was recorded`);
  if (r.failure) {
    errors.push(errorMessage(r.failure));
    meta.notes.push(`replay failed: ${errorMessage(r.failure)}`);
  }
  const tl: Timeline = { meta: { ...meta, end: samples.at(-1)?.t ?? meta.end }, samples, events };
  const results = checkAll(tl, plan.scenario.expectations, plan.baseline);
  const files = writeReports(out, tl, results, { wallSeconds: r.wallSeconds, warnings: plan.warnings, ...(plan.baseline ? { baseline: plan.baseline, pod: plan.system.pod } : {}), ...(errors.length ? { errors } : {}) });
  if (r.failure) throw Object.assign(r.failure as Error, { reports: files });
  return { results, passed: results.every((x) => x.passed), interrupted: r.interrupted, files, wallSeconds: r.wallSeconds, warnings: plan.warnings, timeline: tl, ...(plan.baseline ? { baseline: plan.baseline } : {}) };
}
