import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ensureBinaries, type ToolchainProgress } from '../../../cluster/toolchain/index.ts';
import type { Scenario } from '../../../scenarios/index.ts';
import { writeReports, type ReportFiles } from '../../../reports/index.ts';
import { checkAll } from '../../../core/checks/checks.ts';
import type { CheckResult } from '../../../core/checks/expectations.ts';
import { Interrupted, Stack, type StopFailure } from '../../../core/component.ts';
import { errorMessage } from '../../../core/errors.ts';
import type { Timeline, TimelineEvent, TimelineMeta, TimelineSample } from '../../../core/timeline/format.ts';
import { sleep } from '../../../core/wait.ts';
import { ProbeComponent } from '../components/probe.ts';
import { RecorderComponent, TimelineComponent } from '../components/recorder.ts';
import type { BackendFlags, SetupTiming } from '../backend.ts';
import { checkBackend, type BackendName } from '../backends/index.ts';
import { planReplay, timelineMeta, type ReplayPlan } from '../plan.ts';
import { warmUp, type Pipeline, type ReplayCluster } from '../warmup.ts';

export { buildElasticWorkload, buildHpa } from '../plan.ts';
export { describeSetup, type SetupTiming } from '../backend.ts';

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

/**
 * A backend's own flags (`BackendFlags`) ride along: the existing backend's kubeconfig, namespace,
 * context and host address.
 */
export interface ReplayOptions extends BackendFlags {
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
  /** Where the replay runs (default: the scenario's `backend:`); harness/replay/README.md, "Backends". */
  backend?: BackendName;
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

export async function runReplay(o: ReplayOptions): Promise<ReplayResult> {
  const wallStart = performance.now();
  const wall = () => (performance.now() - wallStart) / 1000;
  const progress: Progress = (p) => o.onProgress?.({ ...p, wallSeconds: wall() });
  // Everything that can be wrong with the input is found before a process starts.
  const plan = await planReplay(o);
  const run = await checkBackend(o.backend ?? plan.scenario.backend, plan, o);
  for (const w of plan.manifests.warnings ?? []) o.onManifestWarning?.(w);
  mkdirSync(o.out, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), `ebf-replay-${plan.scenario.name}-`));
  const stack = new Stack({ signal: o.signal, stopTimeoutMs: 60_000, progress: (c, m) => progress({ phase: 'setup', message: `${c}: ${m}` }) });
  const timeline = new TimelineComponent(join(o.out, 'timeline.jsonl'));
  let failure: unknown;
  let teardown: string[] = [];
  try {
    if (o.signal?.aborted) throw new Interrupted('interrupted before the replay started');
    await ensureBinaries(run.toolchain, o.toolchainProgress);
    const pipeline = await run.start({ stack, workDir, progress });
    await stack.up(timeline);
    timeline.write(timelineMeta(plan));
    await warmUp(pipeline, plan, o, progress);
    const recorder = await stack.up(recorderFor(pipeline, plan, timeline));
    await stack.up(new ProbeComponent(pipeline, plan, timeline.write));
    for (const probe of pipeline.probes?.(timeline.write) ?? []) await stack.up(probe);
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
