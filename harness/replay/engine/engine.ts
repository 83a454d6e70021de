import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ensureBinaries, type ToolchainProgress } from '../../../cluster/toolchain/index.ts';
import type { Scenario } from '../../../scenarios/index.ts';
import { Interrupted, Stack } from '../../../core/component.ts';
import type { TimelineMeta } from '../../../core/timeline/format.ts';
import { ProbeComponent } from '../components/probe.ts';
import { recorderFor } from '../components/recorder.ts';
import { TimelineComponent } from '../components/timeline.ts';
import type { BackendFlags, SetupTiming } from '../backend.ts';
import { checkBackend, type BackendName } from '../backends/index.ts';
import { preflightExporter } from '../components/preflight.ts';
import { planReplay, timelineMeta } from '../plan.ts';
import { warmUp, type ReplayCluster } from '../warmup.ts';
import { report, stopProblems, type ReplayResult } from './report.ts';
import { replayWindows } from './windows.ts';

export { buildElasticWorkload, buildHpa } from '../plan.ts';
export { describeSetup, type SetupTiming } from '../backend.ts';
export type { ReplayResult } from './report.ts';

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

type Progress = (p: Omit<ReplayProgress, 'wallSeconds'>) => void;

export async function runReplay(o: ReplayOptions): Promise<ReplayResult> {
  const wallStart = performance.now();
  const wall = () => (performance.now() - wallStart) / 1000;
  const progress: Progress = (p) => o.onProgress?.({ ...p, wallSeconds: wall() });
  // Everything that can be wrong with the input is found before a process starts.
  const plan = await planReplay(o);
  const run = await checkBackend(o.backend ?? plan.scenario.backend, plan, o);
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
    await ensureBinaries(run.toolchain, o.toolchainProgress);
    const pipeline = await run.start({ stack, workDir, progress });
    await stack.up(timeline);
    timeline.write(timelineMeta(plan));
    await warmUp(pipeline, plan, o, progress);
    const recorder = await stack.up(recorderFor(pipeline, plan, timeline.write));
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
