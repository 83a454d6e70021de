import type { Logger } from 'pino';
import type { ToolchainProgress } from '../../cluster/toolchain/index.ts';
import type { Stack } from '../../core/component.ts';
import { UserError } from '../../core/errors.ts';
import type { Scenario } from '../../scenarios/index.ts';
import type { ReplayPlan } from './plan.ts';
import type { Pipeline } from './warmup.ts';

/**
 * Where a replay runs, the way kwok's runtimes are one interface with one package each: every
 * backend (`backends/<name>/`) implements `Backend`, the registry (`backends/index.ts`) names them,
 * and the engine and the CLI ask the registry, never a backend by name.
 */

/** Options only some backends take (today the existing backend's); the registry refuses them on every other. */
export interface BackendFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  hostAddress?: string;
}

/** What a replay tells its backend, once, before anything starts. */
export interface BackendOptions extends BackendFlags {
  logger?: Logger;
  toolchainProgress?: ToolchainProgress;
  /** The warm-up's patience, for a backend that waits for the metric itself (existing). */
  warmupTimeoutSeconds?: number;
}

/** One setup step (a component, `workload` or `kube-controller-manager`), from its start to ready, in wall seconds after planning. */
export interface SetupTiming {
  component: string;
  from: number;
  to: number;
}

/** `cluster 0.0–4.1 s, ew-controller 4.1–4.4 s, …`: where the setup's seconds went. */
export function describeSetup(timings: SetupTiming[]): string {
  return timings.map((t) => `${t.component} ${t.from.toFixed(1)}–${t.to.toFixed(1)} s`).join(', ');
}

/** What the engine hands a prepared run when it is time to start it. */
export interface RunContext {
  /** Everything started goes on it: it stops all of it in reverse, whatever happens (the run's stop and cleanup). */
  stack: Stack;
  /** A directory for logs and generated files, removed after the run. */
  workDir: string;
  progress: (p: { phase: 'setup'; message: string; setupTimings?: SetupTiming[] }) => void;
}

/** A replay on one backend, its options and plan checked. */
export interface PreparedRun {
  /** The toolchain binaries it needs, built before anything starts. */
  toolchain: string[];
  /** Starts the pipeline's components on the stack and applies the workload; returns what the replay reads from. */
  start(ctx: RunContext): Promise<Pipeline>;
}

/** What `ebbflow cluster up` was given; each backend checks the flags it does not take. */
export interface ClusterUpFlags extends BackendFlags {
  name?: string;
  config?: string;
  compression?: string;
  port?: string;
  ecsNodes?: string;
}

/** How a cluster command reaches the user: the CLI owns the terminal, the signals and the exit code. */
export interface ClusterIO {
  /** Output before the command's result (on stdout). */
  out(text: string): void;
  /** Progress lines (on stderr). */
  progress(line: string): void;
  toolchainProgress?: ToolchainProgress;
  /** Aborted on Ctrl-C: a start in progress stops what it started and rejects with `Interrupted`. */
  signal: AbortSignal;
}

/** `ebbflow cluster up|down|status` on a backend; each returns the text that is its result (stdout). */
export interface ClusterLifecycle {
  up(flags: ClusterUpFlags, io: ClusterIO): Promise<string>;
  down(flags: { name: string; all?: boolean }, io: ClusterIO): Promise<string>;
  /** The cluster's state; `healthy` false when it is missing or not all of it runs. Only where `cluster status` applies. */
  status?(flags: { name: string; json?: boolean }): Promise<{ text: string; healthy: boolean }>;
}

/** A number flag of `cluster up` (`--compression`, `--port`, `--ecs-nodes`), as given on the command line. */
export function clusterUpNumber(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min) throw new UserError(`${flag} must be a number ≥ ${min}, got "${v}"`);
  return n;
}

export interface Backend {
  /**
   * Checks the options and the plan before anything starts (a refusal is a UserError, exit 2) and
   * returns the run. It may move the plan (existing: into the namespace the run will own).
   */
  prepare(plan: ReplayPlan, options: BackendOptions): PreparedRun;
  /** What the user should read before a replay on this backend starts (printed by the CLI). */
  notes?(scenario: Scenario): string[];
  cluster: ClusterLifecycle;
}
