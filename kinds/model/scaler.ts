import type { Component } from '../../core/component.ts';
import type { DiscoveryContext } from './discovery.ts';
import type { KubeObject } from './objects.ts';
import type { ScenarioOverrides } from './overrides.ts';
import type { ReplayContext } from './replay.ts';

/** A scaler found among the manifests. */
export interface DiscoveredScaler {
  /** As the run applies it (an HPA converted to autoscaling/v2). */
  object: KubeObject;
  /** As the manifests hold it (its file names both in messages). */
  original: KubeObject;
  /** What it scales (its `scaleTargetRef`): the placement kind registered for this kind takes it from here. */
  target: { kind?: string; name?: string };
  /** The Services its metrics describe, by name (the replay applies them so the names resolve). */
  services: string[];
}

/**
 * The scaler's decisions in the simulator, for one run whose spec and flags never change and whose
 * clock never goes back: what the real controller decides, sync after sync. Times in seconds.
 */
export interface ScalerSimulation {
  /** One sync at `now`: the desired replicas, `value` being every metric's value as served. */
  decide(now: number, current: number, readyPods: number, value: number): number;
  /** Whether the last `decide` changed the target's replicas (a scale event). */
  readonly rescale: boolean;
  /**
   * Who changed the replicas at the last rescaling `decide` when it was not the metric (a CronHPA
   * job scaling the target itself): the simulator's event names it instead of "above/below target".
   */
  readonly rescaleReason?: string;
  /**
   * A sync known to keep the replicas, taken without building its input: true when it did (its
   * history recorded), false having recorded nothing (then call `decide`). The simulator calls it
   * at nearly every step: an implementation answers it in one call, without a wrapper.
   */
  quiet(now: number, current: number, value: number, readyPods: number): boolean;
  /** Whether `quiet` reads `readyPods` (the caller counts them only then). */
  readonly quietNeedsReady: boolean;
  /** The replicas it settles at when `value` has held for long (a run's start, like the replay's warm-up). */
  settle(now: number, value: number): number;
}

/**
 * A kind of scaler (the HPA today; CronHPA and KEDA's ScaledObject next): one folder under
 * `kinds/scaler/`, registered once in `kinds/registry.ts`. `Spec` is its model's numbers, `Flags`
 * the controller's flags the scenario sets.
 */
export interface ScalerKind<Spec = unknown, Flags = unknown> {
  /** As manifests name it (`kind:`). */
  readonly kind: string;
  /** The one object of this kind among the manifests, or undefined when they hold none; several are an error. */
  discover(ctx: DiscoveryContext): DiscoveredScaler | undefined;
  /** The object with the scenario's overrides: what the replay applies (before compressing time). */
  withOverrides(object: KubeObject, overrides: ScenarioOverrides, file: string): KubeObject;
  /** The object as the numbers the simulator models; an error names `source`, the object and the field. */
  model(object: KubeObject, source: string): Spec;
  /** The controller's flags, the scenario's or the controller's defaults. */
  flags(overrides: ScenarioOverrides): Flags;
  /**
   * Its HPA reads the value from the source at each sync (KEDA's metrics server asks the scaler
   * live), not from Prometheus: no scrape interval stands between the exporter's query and the
   * HPA. Absent: the Prometheus path (the exporter's ServiceMonitor interval).
   */
  readonly liveMetric?: boolean | ((object: KubeObject) => boolean);
  /**
   * The resolution, in seconds of the reader's own clock, of the time it asks Prometheus at
   * (KEDA's prometheus trigger sends `time=` as RFC 3339, whole seconds: it reads what Prometheus
   * held at the last whole second). Absent or 0: the reader asks for "now" (prometheus-adapter).
   * A wall-clock quantity: a replay at compression k does not shrink it, so there it is k virtual s.
   */
  readonly queryResolution?: (object: KubeObject) => number;
  /** The most replicas it asks for: the cap of a placement that has none of its own. */
  maxReplicas(object: KubeObject): number;
  /** The simulator's step. `precomputed`: the run may take the fast paths (same decisions). */
  simulation(spec: Spec, flags: Flags, opts: { precomputed: boolean }): ScalerSimulation;
  /** What a replay runs for it beside the cluster (the HPA: nothing, kube-controller-manager is its controller). */
  components(ctx: ReplayContext): Component[];
  /**
   * A scaler that is not itself the HPA (KEDA's ScaledObject generates one): the object a replay
   * applies with its times compressed by `k` (`compressBehavior` compresses an HPA behavior the way
   * the replay compresses the HPA's) and the name of the HPA the replay waits for and records.
   * Absent: the object is the HPA.
   */
  replayed?(object: KubeObject, o: { k: number; compressBehavior: (behavior: Record<string, unknown>) => Record<string, unknown> }): { object: KubeObject; hpaName: string; warnings: string[] };
  /** The run's addresses put where the object names a metric source (a Prometheus URL, an external scaler), just before it is applied. */
  retarget?(object: KubeObject, run: RunAddresses): KubeObject;
  /** The toolchain binaries its replay components run (built before the run starts, with progress). */
  readonly toolchain?: readonly string[];
  /** Whether the run must serve the SLS external scaler (`ebbflow keda-scaler`) the object asks. */
  externalScaler?(object: KubeObject): boolean;
}

/** Where a replay's metric sources answer, as the cluster's controllers reach them. */
export interface RunAddresses {
  /** The harness's Prometheus (`http://host:port`). */
  prometheusUrl?: string;
  /** The SLS external scaler's gRPC `host:port`. */
  externalScaler?: string;
}

/** Something that happened in a simulation the timeline should show (a scheduled job firing). */
export interface SimulationNote {
  /** Virtual epoch ms. */
  t: number;
  object: string;
  reason: string;
  message: string;
}

/**
 * A scaler that acts on a schedule beside the scaler (CronHPA, `autoscaling.alibabacloud.com`):
 * found by what it targets (the scaler, or the scaler's target), it edits the scaler's bounds or
 * sets the target's replicas when a job fires. One folder under `kinds/scaler/`, registered in
 * `SCHEDULES` (`kinds/registry.ts`).
 */
export interface ScheduleKind<Spec = unknown> {
  readonly kind: string;
  /** The one object of this kind targeting `scaler.object` or its target, or undefined; several, or one aimed elsewhere, are an error. */
  discover(ctx: DiscoveryContext, scaler: DiscoveredScaler): KubeObject | undefined;
  /** The object as the numbers the simulator models, its schedules read in `timeZone`; an error names `source`, the object and the field. */
  model(object: KubeObject, source: string, timeZone: string): Spec;
  /**
   * The scaler's simulation with the schedule over it. `bounds` are the min/max `inner` reads
   * (the run's own copy): the schedule edits them in place when a job fires.
   */
  simulation(spec: Spec, inner: ScalerSimulation, bounds: { minReplicas: number; maxReplicas: number }): ScalerSimulation & { notes: SimulationNote[] };
  /** One line for the timeline's notes and the report (what it schedules, in which time zone). */
  describe(spec: Spec): string;
  /** Its controller beside the cluster in a replay, on the run's clock. */
  components(ctx: ReplayContext & { timeZone: string }): Component[];
}
