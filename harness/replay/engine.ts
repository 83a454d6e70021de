import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AutoscalingV2Api, CustomObjectsApi, KubernetesObjectApi, type KubernetesObject, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { startCluster, type LocalCluster } from '../../cluster/local/index.ts';
import { ensureBinaries, type ToolchainProgress } from '../../cluster/toolchain/index.ts';
import { installCrd, startController, type RunningController, EW_GROUP, EW_PLURAL, EW_VERSION } from '../../cluster/elasticworkload/index.ts';
import { compressExporterConfig, parseExporterConfig, startExporter, type RunningExporter } from '../../exporter/index.ts';
import { loadHarnessManifests, serviceMonitorToScrapeTarget, type HarnessManifests, type KubeObject } from '../../manifests/index.ts';
import type { Scenario } from '../../scenarios/index.ts';
import { checkAll } from '../assert/checks.ts';
import type { CheckResult } from '../assert/expectations.ts';
import { UserError } from '../common/errors.ts';
import { startFakeSls, type FakeSls } from '../fake-sls/index.ts';
import { startAdapter } from '../pipeline/adapter.ts';
import { startPrometheus, type RunningPrometheus } from '../pipeline/prometheus.ts';
import { startRecorder, type Recorder } from '../recorder/recorder.ts';
import type { Timeline, TimelineEvent, TimelineMeta, TimelineRecord, TimelineSample } from '../timeline/format.ts';
import { readTimeline, TimelineWriter } from '../timeline/io.ts';
import { writeReports, type ReportFiles } from '../../reports/index.ts';
import { CompressionError, compressBehavior, type HpaBehavior } from './compression.ts';
import { getRaw } from './k8s-get.ts';
import { createReplayClock, type ReplayClock } from './replay-clock.ts';

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
}

export interface ReplayOptions {
  scenario: Scenario;
  out: string;
  baselineFile?: string;
  clusterName?: string;
  manifestsDir?: string;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (p: ReplayProgress) => void;
  /** Seconds to wait for the pipeline to reach a steady state before the clock starts. */
  warmupTimeoutSeconds?: number;
  /** Called after the last window, before teardown, with the live cluster (tests inspect it here). */
  beforeTeardown?: (cluster: LocalCluster) => Promise<void>;
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
}

const NS = 'default';

/** The HPA the manifests declare, with the scenario's overrides and behavior compressed by k. */
export function buildHpa(base: KubeObject, s: Scenario, warnings: string[]): KubeObject {
  const hpa = structuredClone(base) as KubeObject & { spec: V2HorizontalPodAutoscaler['spec'] & object };
  const o = s.hpa;
  if (o.minReplicas !== undefined) hpa.spec.minReplicas = o.minReplicas;
  if (o.maxReplicas !== undefined) hpa.spec.maxReplicas = o.maxReplicas;
  if (o.target) {
    const m = hpa.spec.metrics?.find((x) => x.type === 'Object');
    if (!m?.object) throw new UserError(`${s.file}: hpa.target: the manifests' HPA has no Object metric to override`);
    m.object.target = o.target.type === 'Value' ? { type: 'Value', value: String(o.target.value) } : { type: 'AverageValue', averageValue: String(o.target.value) };
  }
  const behavior = (o.behavior ?? hpa.spec.behavior) as HpaBehavior | undefined;
  if (behavior) {
    try {
      const c = compressBehavior(behavior, s.compression, { ratePreserving: s.fidelity === 'rate-preserving' });
      warnings.push(...c.warnings);
      const out = structuredClone(c.behavior) as Record<string, Record<string, unknown> | undefined>;
      for (const dir of ['scaleUp', 'scaleDown']) if (out[dir]?.tolerance !== undefined) out[dir]!.tolerance = String(out[dir]!.tolerance);
      hpa.spec.behavior = out as never;
    } catch (e) {
      if (e instanceof CompressionError) throw new UserError(`${s.file}: compression: ${e.message}`, `set compression: ${e.largestLegalK} or fidelity: rate-preserving`);
      throw e;
    }
  }
  return hpa;
}

/** The ElasticWorkload the manifests declare, with the scenario's overrides. */
export function buildElasticWorkload(base: KubeObject, s: Scenario): KubeObject {
  const ew = structuredClone(base) as KubeObject & { spec: { sourceTarget: { min?: number; max?: number }; elasticUnit?: { name: string; min?: number; max?: number }[]; replicas?: number } };
  const o = s.elasticWorkload;
  if (o.sourceMin !== undefined) ew.spec.sourceTarget.min = o.sourceMin;
  if (o.sourceMax !== undefined) ew.spec.sourceTarget.max = o.sourceMax;
  for (const [i, u] of (o.units ?? []).entries()) {
    const unit = ew.spec.elasticUnit?.find((x) => x.name === u.name);
    if (!unit) throw new UserError(`${s.file}: elasticWorkload.units[${i}].name: the manifests' ElasticWorkload has no unit "${u.name}" (units: ${(ew.spec.elasticUnit ?? []).map((x) => x.name).join(', ')})`);
    if (u.min !== undefined) unit.min = u.min;
    if (u.max !== undefined) unit.max = u.max;
  }
  return ew;
}

function secretEnv(m: HarnessManifests): NodeJS.ProcessEnv {
  const sec = m.objects.find((o) => o.kind === 'Secret' && o.metadata.name.startsWith('sls-exporter-credentials')) as (KubeObject & { data?: Record<string, string> }) | undefined;
  const get = (k: string) => (sec?.data?.[k] ? Buffer.from(sec.data[k], 'base64').toString('utf8') : undefined);
  return { ALIBABA_CLOUD_ACCESS_KEY_ID: get('accessKeyId'), ALIBABA_CLOUD_ACCESS_KEY_SECRET: get('accessKeySecret') };
}

function clusterNameFor(s: Scenario): string {
  return `replay-${s.name}`.slice(0, 40).replace(/-+$/, '');
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      r();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

export async function runReplay(o: ReplayOptions): Promise<ReplayResult> {
  const s = o.scenario;
  const k = s.compression;
  const log = o.logger;
  const wallStart = performance.now();
  const wall = () => (performance.now() - wallStart) / 1000;
  const progress = (p: Omit<ReplayProgress, 'wallSeconds'>) => o.onProgress?.({ ...p, wallSeconds: wall() });
  const warnings: string[] = [];
  const aborted = () => o.signal?.aborted ?? false;

  // Everything that can be wrong with the input is found before a process starts.
  const manifests = await loadHarnessManifests({ dir: o.manifestsDir });
  const hpa = buildHpa(manifests.hpa, s, warnings);
  const ew = buildElasticWorkload(manifests.elasticWorkload, s);
  const exporterCfg = (() => {
    const base = parseExporterConfig(manifests.exporterConfigYaml, 'manifests/overlays/local: ConfigMap sls-exporter-config', secretEnv(manifests));
    return base;
  })();
  let baseline: Timeline | undefined;
  const baselineFile = o.baselineFile ?? (() => {
    const e = s.expectations.find((x) => x.type === 'baseline');
    return e?.type === 'baseline' && e.file ? resolve(dirname(s.file), e.file) : undefined;
  })();
  if (baselineFile) {
    try {
      baseline = await readTimeline(baselineFile);
    } catch (e) {
      throw new UserError(`cannot read baseline ${baselineFile}: ${(e as Error).message}`, 'give a timeline.jsonl written by an earlier replay (--baseline FILE)');
    }
  }
  mkdirSync(o.out, { recursive: true });

  const sourceName = (ew.spec as { sourceTarget: { name: string } }).sourceTarget.name;
  const sourceMax = (ew.spec as { sourceTarget: { max?: number } }).sourceTarget.max ?? 0;
  const scrapeInterval = s.pipeline.scrapeIntervalSeconds ?? manifests.scrape.intervalSeconds;
  const syncPeriod = s.hpa.syncPeriodSeconds ?? 15;
  const stabilization = s.hpa.downscaleStabilizationSeconds ?? 300;
  const constants: Record<string, number> = {
    slsWindowSeconds: s.pipeline.slsWindowSeconds,
    exporterIntervalSeconds: s.pipeline.exporterIntervalSeconds,
    scrapeIntervalSeconds: scrapeInterval,
    adapterRelistSeconds: s.pipeline.adapterRelistSeconds,
    hpaSyncPeriodSeconds: syncPeriod,
    downscaleStabilizationSeconds: stabilization,
  };
  const windowStarts = s.windows.map((w) => s.dayStartMs + w.start * 1000);
  const virtualTotal = s.windows.reduce((a, w) => a + w.end - w.start, 0);
  const clock: ReplayClock = createReplayClock({ k, windowStartsMs: windowStarts });
  const devices = (tMs: number) => s.curve.at((tMs - s.dayStartMs) / 1000);

  const records: TimelineRecord[] = [];
  const workDir = mkdtempSync(join(tmpdir(), `ebf-replay-${s.name}-`));
  let cluster: LocalCluster | undefined;
  let controller: RunningController | undefined;
  let sls: FakeSls | undefined;
  let exporter: RunningExporter | undefined;
  let prom: RunningPrometheus | undefined;
  let recorder: Recorder | undefined;
  let writer: TimelineWriter | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let interrupted = false;
  let failure: unknown;
  const errors: string[] = [];

  try {
    // A fresh machine builds the pinned toolchain here, once, with its own progress display.
    await ensureBinaries(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'etcd', 'kwok', 'kwokctl', 'prometheus', 'prometheus-adapter'], o.toolchainProgress);
    progress({ phase: 'setup', message: `starting the local cluster (k=${k})` });
    cluster = await startCluster(
      {
        name: o.clusterName ?? clusterNameFor(s),
        compression: k,
        ...(s.nodes ? { nodePools: s.nodes } : {}),
        hpa: { syncPeriodSeconds: syncPeriod, downscaleStabilizationSeconds: stabilization, ...(s.hpa.tolerance !== undefined ? { tolerance: s.hpa.tolerance } : {}) },
      },
      { ownerPid: process.pid },
    );
    if (aborted()) throw new Interrupted();
    await installCrd(cluster.kubeConfig);
    controller = startController({ kubeConfig: cluster.kubeConfig, namespace: NS, logger: log });
    await controller.synced;

    progress({ phase: 'setup', message: 'starting fake SLS, exporter, Prometheus and prometheus-adapter' });
    sls = await startFakeSls({ curve: devices, now: clock.now });
    const cfg = compressExporterConfig(
      {
        ...exporterCfg,
        sls: { ...exporterCfg.sls, endpoint: sls.endpoint },
        metrics: exporterCfg.metrics.map((m) => ({ ...m, window: s.pipeline.slsWindowSeconds, interval: s.pipeline.exporterIntervalSeconds, maxStaleness: Math.max(m.maxStaleness, s.pipeline.exporterIntervalSeconds * 2) })),
      },
      k,
    );
    exporter = await startExporter(cfg, { host: '127.0.0.1', port: 0, now: clock.now, logger: log });
    prom = await startPrometheus({
      cluster: cluster.name,
      dir: workDir,
      compression: k,
      targets: [serviceMonitorToScrapeTarget({ ...manifests.scrape, intervalSeconds: scrapeInterval }, `127.0.0.1:${exporter.port}`)],
    });
    await startAdapter({
      cluster: cluster.name,
      dir: workDir,
      kubeconfig: cluster.kubeconfig,
      kubeConfig: cluster.kubeConfig,
      prometheusUrl: prom.url,
      rulesYaml: manifests.adapterRulesYaml,
      relistSeconds: s.pipeline.adapterRelistSeconds,
      compression: k,
    });
    if (aborted()) throw new Interrupted();

    progress({ phase: 'setup', message: 'applying the workload, ElasticWorkload and HPA from manifests/' });
    const objs = KubernetesObjectApi.makeApiClient(cluster.kubeConfig);
    for (const obj of [manifests.businessDeployment, manifests.businessService, ew, hpa]) {
      await objs.create(obj as KubernetesObject).catch((e: unknown) => {
        throw new Error(`applying ${obj.kind} ${obj.metadata.name}: ${(e as { body?: string }).body ?? String(e)}`);
      });
    }

    const meta: TimelineMeta = {
      kind: 'meta',
      version: 1,
      source: 'cluster',
      scenario: s.name,
      start: windowStarts[0]!,
      end: s.dayStartMs + s.windows.at(-1)!.end * 1000,
      compression: k,
      constants,
      devicesPerReplica: s.devicesPerReplica,
      sourceMax,
      seed: s.seed,
      notes: [
        `windows: ${s.windows.map((w) => `${hhmm(w.start)}–${hhmm(w.end)}`).join(', ')} (replayed back to back)`,
        `HPA: ${describeTarget(hpa)}, min ${(hpa.spec as { minReplicas?: number }).minReplicas ?? 1}, max ${(hpa.spec as { maxReplicas: number }).maxReplicas}`,
        ...warnings.map((w) => `fidelity: ${w}`),
      ],
    };
    writer = new TimelineWriter(join(o.out, 'timeline.jsonl'));
    const write = (r: TimelineRecord) => {
      records.push(r);
      writer!.write(r);
    };
    write(meta);

    // Warm-up: the clock holds at the first window's start until the HPA acts on a valid metric.
    progress({ phase: 'warmup', message: 'waiting for the metric to reach the HPA (clock held at the window start)' });
    const autoscaling = cluster.kubeConfig.makeApiClient(AutoscalingV2Api);
    const custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    const warmupDeadline = Date.now() + (o.warmupTimeoutSeconds ?? 120) * 1000;
    for (;;) {
      if (aborted()) throw new Interrupted();
      const h = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: hpa.metadata.name, namespace: NS });
      const valid = h.status?.conditions?.some((c) => c.type === 'ScalingActive' && c.status === 'True');
      const e = (await custom.getNamespacedCustomObject({ group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace: NS, name: ew.metadata.name })) as { spec?: { replicas?: number }; status?: { replicas?: number } };
      if (valid && h.status?.desiredReplicas === h.status?.currentReplicas && e.status?.replicas === e.spec?.replicas) break;
      const stages = await pipelineValues(exporter, prom, cluster);
      const mark = (v: number | undefined) => (v === undefined ? '…' : String(v));
      progress({ phase: 'warmup', message: `warm-up: exporter ${mark(stages.exporter)} → Prometheus ${mark(stages.prometheus)} → adapter ${mark(stages.adapter)} → HPA ${valid ? `desired ${h.status?.desiredReplicas}, current ${h.status?.currentReplicas}` : '…'} → EW ${e.status?.replicas ?? 0}/${e.spec?.replicas ?? 0}` });
      if (Date.now() > warmupDeadline) {
        const stages = await pipelineValues(exporter, prom, cluster);
        const cond = h.status?.conditions?.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join('; ');
        throw new Error(`the pipeline did not reach a steady state in ${o.warmupTimeoutSeconds ?? 120}s: exporter ${stages.exporter ?? 'no value'}, Prometheus ${stages.prometheus ?? 'no value'}, adapter ${stages.adapter ?? 'no value'}; HPA: ${cond ?? 'no status'}`);
      }
      await sleep(250, o.signal);
    }

    recorder = await startRecorder({
      kubeConfig: cluster.kubeConfig,
      namespace: NS,
      hpaName: hpa.metadata.name,
      ewName: ew.metadata.name,
      sourceName,
      virtualNode: cluster.virtualNode,
      clock,
      devices,
      devicesPerReplica: s.devicesPerReplica,
      sampleEverySeconds: s.sampleEverySeconds,
      write,
    });

    // Each pipeline stage's published value, so the report can show the lag per stage.
    const lastSeen: Record<string, number | undefined> = {};
    const probe = async () => {
      const v = await pipelineValues(exporter!, prom!, cluster!);
      for (const [stage, value] of Object.entries(v)) {
        if (value === undefined || value === lastSeen[stage]) continue;
        lastSeen[stage] = value;
        write({ kind: 'event', t: Math.round(clock.now()), type: 'metric.published', object: stage, to: value, message: `${stage} now serves ${value}` } as TimelineEvent);
      }
    };
    const probeEvery = Math.max(100, ((scrapeInterval * 1000) / k) / 2);
    let probing = false;
    probeTimer = setInterval(() => {
      if (probing) return;
      probing = true;
      probe().catch(() => {}).finally(() => (probing = false));
    }, probeEvery);

    let done = 0;
    for (const [i, w] of s.windows.entries()) {
      clock.enter(i);
      const end = s.dayStartMs + w.end * 1000;
      for (;;) {
        if (aborted()) throw new Interrupted();
        const now = clock.now();
        progress({ phase: 'replay', message: `window ${i + 1}/${s.windows.length}`, window: i, windows: s.windows.length, virtualDone: done + Math.min(w.end - w.start, (now - windowStarts[i]!) / 1000), virtualTotal, virtualNow: now });
        if (now >= end) break;
        await sleep(Math.min(250, Math.max(10, (end - now) / k)), o.signal);
      }
      done += w.end - w.start;
    }
    await o.beforeTeardown?.(cluster);
  } catch (e) {
    if (e instanceof Interrupted || aborted()) interrupted = true;
    else failure = e;
  } finally {
    if (probeTimer) clearInterval(probeTimer);
    await recorder?.stop().catch(() => {});
    await writer?.close().catch(() => {});
    progress({ phase: 'report', message: 'stopping the cluster and writing reports' });
    await exporter?.stop().catch(() => {});
    await sls?.stop().catch(() => {});
    await controller?.stop().catch(() => {});
    await cluster?.stop().catch((e: unknown) => log?.warn({ err: String(e) }, 'cluster teardown failed'));
    rmSync(workDir, { recursive: true, force: true });
  }
  if (failure && !records.some((r) => r.kind === 'meta')) throw failure;

  const meta = records.find((r): r is TimelineMeta => r.kind === 'meta')!;
  const samples = records.filter((r): r is TimelineSample => r.kind === 'sample');
  const events = records.filter((r): r is TimelineEvent => r.kind === 'event');
  if (interrupted) meta.notes.push(`interrupted after ${wall().toFixed(0)} s wall; the report covers what was recorded`);
  if (failure) {
    errors.push(String((failure as Error).message ?? failure));
    meta.notes.push(`replay failed: ${(failure as Error).message ?? String(failure)}`);
  }
  const timeline: Timeline = { meta: { ...meta, end: samples.at(-1)?.t ?? meta.end }, samples, events };
  const results = checkAll(timeline, s.expectations, baseline);
  const files = writeReports(o.out, timeline, results, { wallSeconds: wall(), warnings, ...(errors.length ? { errors } : {}) });
  if (failure) throw Object.assign(failure as Error, { reports: files });
  return { results, passed: results.every((r) => r.passed), interrupted, files, wallSeconds: wall(), warnings, timeline };
}

class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

function hhmm(s: number): string {
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;
}

function describeTarget(hpa: KubeObject): string {
  const m = (hpa.spec as V2HorizontalPodAutoscaler['spec'])?.metrics?.[0];
  const t = m?.object?.target;
  return `${m?.object?.metric.name ?? '?'} on ${m?.object?.describedObject.kind}/${m?.object?.describedObject.name}, target ${t?.type} ${t?.value ?? t?.averageValue}`;
}

/** The value each stage serves now: exporter /metrics, Prometheus, the custom metrics API. */
async function pipelineValues(exporter: RunningExporter | undefined, prom: RunningPrometheus | undefined, cluster: LocalCluster | undefined): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = { exporter: undefined, prometheus: undefined, adapter: undefined };
  await Promise.all([
    (async () => {
      if (!exporter) return;
      const text = await (await fetch(`${exporter.url}/metrics`)).text();
      const m = /^active_devices(?:\{[^}]*\})? (\S+)$/m.exec(text);
      if (m) out.exporter = Number(m[1]);
    })().catch(() => {}),
    (async () => {
      if (!prom) return;
      const r = await prom.query('max(active_devices)');
      if (r[0]) out.prometheus = Number(r[0].value[1]);
    })().catch(() => {}),
    (async () => {
      if (!cluster) return;
      const r = await getRaw<{ items?: { value: string }[] }>(cluster.kubeConfig, `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${NS}/services/nginx/active_devices`);
      const v = r?.items?.[0]?.value;
      if (v !== undefined) out.adapter = parseQuantityLoose(v);
    })().catch(() => {}),
  ]);
  return out;
}

function parseQuantityLoose(q: string): number {
  const m = /^(-?\d+(?:\.\d+)?)(m|k|M|G)?$/.exec(q);
  if (!m) return Number.NaN;
  return Number(m[1]) * ({ m: 0.001, k: 1e3, M: 1e6, G: 1e9 }[m[2] as 'm' | 'k' | 'M' | 'G'] ?? 1);
}
