/**
 * The HorizontalPodAutoscaler's decision, ported from upstream pkg/controller/podautoscaler
 * (horizontal.go: reconcileAutoscaler, computeReplicasForMetrics, normalizeDesiredReplicas[WithBehaviors],
 * stabilizeRecommendation[WithBehaviors], convertDesiredReplicasWith{Rules,BehaviorRate},
 * calculateScale{Up,Down}Limit*, storeScaleEvent; replica_calculator.go: GetObject[PerPod]MetricReplicas,
 * getUsageRatioReplicaCount) and written in this project's style. The release it follows is a flag
 * (`kubernetesVersion`, default the pinned toolchain's); `hpaEdges` lists what differs per release.
 * Pure apart from the state object the caller owns (recommendation history, scale events and the
 * ScaledToZero condition, as the controller keeps per HPA).
 */
import { KUBERNETES_VERSION } from '../../../cluster/toolchain/versions.ts';
import { UserError } from '../../../core/errors.ts';
import type { Behavior, ScalingRules } from '../../model/behavior.ts';
import type { ScalerSimulation } from '../../model/scaler.ts';

export type { Behavior, Policy, ScalingRules } from '../../model/behavior.ts';

export interface ObjectMetric {
  /** Value: ratio = value / target; AverageValue: ratio = value / (target × status replicas). */
  type: 'Value' | 'AverageValue';
  target: number;
}

export interface HpaSpec {
  minReplicas: number;
  maxReplicas: number;
  metrics: ObjectMetric[];
  behavior?: Behavior;
}

/** kube-controller-manager `--feature-gates` the HPA reads; unset = the release's default. */
export interface HpaFeatureGates {
  HPAConfigurableTolerance?: boolean;
  HPAScaleToZero?: boolean;
}

/** kube-controller-manager flags. */
export interface HpaFlags {
  tolerance: number;
  downscaleStabilizationSeconds: number;
  /** The release whose HPA is modelled, e.g. 'v1.36.1' or '1.34'; default the pinned toolchain's. */
  kubernetesVersion?: string;
  featureGates?: HpaFeatureGates;
}

export interface ScaleEvent {
  t: number;
  change: number;
  /** markScaleEventsOutdated: older than the direction's longest policy period, free for reuse. */
  outdated?: boolean;
}

export interface HpaState {
  recommendations: { t: number; replicas: number }[] | undefined;
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
  /** The HPA's ScaledToZero condition (1.36+, HPAScaleToZero). */
  scaledToZero?: boolean;
  /**
   * The no-behavior path's stabilization max kept as a monotonic deque instead of scanning the
   * history (`newWindowedHpaState`). Only for a caller whose clock never goes back and whose
   * downscale window never changes, as the simulator's; then `recommendations` keeps only its seed.
   */
  window?: RecommendationWindow;
}

export const newHpaState = (): HpaState => ({ recommendations: undefined, scaleUpEvents: [], scaleDownEvents: [] });

/**
 * The maximum of the recommendations recorded at or after a cutoff, for cutoffs that only move
 * forward: a deque ordered by time whose replicas strictly decrease (an entry that a later, larger or
 * equal one outlives can never be the maximum again), so each entry is pushed and dropped once.
 * Upstream's history gives the same maximum: an entry leaves its scan only by going stale, and a
 * stale entry never counts again (overwriting one changes nothing in the window).
 */
export class RecommendationWindow {
  private t = new Float64Array(16);
  private r = new Float64Array(16);
  private head = 0;
  private tail = 0;

  push(t: number, replicas: number): void {
    while (this.tail > this.head && this.r[this.tail - 1]! <= replicas) this.tail--;
    if (this.tail === this.t.length) this.makeRoom();
    this.t[this.tail] = t;
    this.r[this.tail++] = replicas;
  }

  /** The largest replicas recorded at or after `cutoff` (−Infinity if none); older entries leave for good. */
  maxSince(cutoff: number): number {
    while (this.head < this.tail && this.t[this.head]! < cutoff) this.head++;
    return this.head < this.tail ? this.r[this.head]! : -Infinity;
  }

  private makeRoom(): void {
    const live = this.tail - this.head;
    // Grow when more than half is live, otherwise slide down: amortised O(1) per push.
    if (live * 2 > this.t.length) {
      const t = new Float64Array(this.t.length * 2);
      const r = new Float64Array(this.r.length * 2);
      t.set(this.t.subarray(this.head, this.tail));
      r.set(this.r.subarray(this.head, this.tail));
      this.t = t;
      this.r = r;
    } else {
      this.t.copyWithin(0, this.head, this.tail);
      this.r.copyWithin(0, this.head, this.tail);
    }
    this.head = 0;
    this.tail = live;
  }
}

/** A state whose no-behavior stabilization uses a `RecommendationWindow` (same decisions, no history scan). */
export const newWindowedHpaState = (): HpaState => ({ ...newHpaState(), window: new RecommendationWindow() });

/**
 * What differs between the releases modelled (each checked in that release's horizontal.go,
 * replica_calculator.go and pkg/features/kube_features.go; patch releases of 1.32–1.35 do not differ).
 */
export interface HpaEdges {
  minor: number;
  /** ≤ 1.32: |1 − ratio| ≤ tolerance; 1.33+: (1 − down) ≤ ratio ≤ (1 + up). Not the same floats at the edge. */
  band: 'abs' | 'ratio';
  /** HPAConfigurableTolerance: alpha (off) in 1.33–1.34, beta (on) from 1.35; absent before 1.33. */
  configurableTolerance: boolean;
  /** 1.35+: a Value metric's proposal above MaxInt32 is capped there; before, Go's int32 conversion overflows. */
  capValueProposal: boolean;
  /** 1.36+: a target at zero replicas stays disabled unless the HPA itself scaled it to zero (HPAScaleToZero). */
  zeroNeedsCondition: boolean;
  scaleToZero: boolean;
}

const OLDEST_MINOR = 32;
const NO_GATES: HpaFeatureGates = Object.freeze({});
const edgesCache = new Map<string, HpaEdges>();
let last: { version: string; tol: boolean | undefined; zero: boolean | undefined; edges: HpaEdges } | undefined;

/** The release's behaviour at the edges; throws a UserError for a version or gate it cannot model. */
export function hpaEdges(flags: Pick<HpaFlags, 'kubernetesVersion' | 'featureGates'>): HpaEdges {
  const version = flags.kubernetesVersion ?? KUBERNETES_VERSION;
  const gates = flags.featureGates ?? NO_GATES;
  // reconcile asks once per sync: the last answer first, without building a key.
  if (last && last.version === version && last.tol === gates.HPAConfigurableTolerance && last.zero === gates.HPAScaleToZero) return last.edges;
  const key = `${version}|${gates.HPAConfigurableTolerance}|${gates.HPAScaleToZero}`;
  const hit = edgesCache.get(key) ?? computeEdges(version, gates);
  edgesCache.set(key, hit);
  last = { version, tol: gates.HPAConfigurableTolerance, zero: gates.HPAScaleToZero, edges: hit };
  return hit;
}

function computeEdges(version: string, gates: HpaFeatureGates): HpaEdges {
  const m = /^v?1\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.-]+)?$/.exec(version);
  const minor = m ? Number(m[1]) : NaN;
  if (!(minor >= OLDEST_MINOR)) {
    throw new UserError(`HPA flags: kubernetesVersion "${version}" is not a Kubernetes release the simulator models`, `use 1.${OLDEST_MINOR} or later, e.g. "${KUBERNETES_VERSION}" (the pinned toolchain's)`);
  }
  if (minor < 33 && gates.HPAConfigurableTolerance !== undefined) {
    throw new UserError(`HPA flags: featureGates.HPAConfigurableTolerance does not exist in Kubernetes 1.${minor}`, 'remove it or pick kubernetesVersion 1.33 or later');
  }
  const edges: HpaEdges = {
    minor,
    band: minor >= 33 ? 'ratio' : 'abs',
    configurableTolerance: minor >= 33 && (gates.HPAConfigurableTolerance ?? minor >= 35),
    capValueProposal: minor >= 35,
    zeroNeedsCondition: minor >= 36,
    scaleToZero: gates.HPAScaleToZero ?? false,
  };
  return edges;
}

/** API defaulting (pkg/apis/autoscaling/v2/defaults.go): a given behavior gets its nil fields filled. */
export function defaultBehavior(b: Behavior, flags: HpaFlags): Required<Behavior> & { scaleUp: Required<Omit<ScalingRules, 'tolerance'>> & ScalingRules; scaleDown: Required<Omit<ScalingRules, 'tolerance'>> & ScalingRules } {
  return {
    scaleUp: {
      stabilizationWindowSeconds: b.scaleUp?.stabilizationWindowSeconds ?? 0,
      selectPolicy: b.scaleUp?.selectPolicy ?? 'Max',
      policies: b.scaleUp?.policies ?? [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
      ...(b.scaleUp?.tolerance !== undefined ? { tolerance: b.scaleUp.tolerance } : {}),
    },
    scaleDown: {
      // nil means the controller's --horizontal-pod-autoscaler-downscale-stabilization.
      stabilizationWindowSeconds: b.scaleDown?.stabilizationWindowSeconds ?? flags.downscaleStabilizationSeconds,
      selectPolicy: b.scaleDown?.selectPolicy ?? 'Max',
      policies: b.scaleDown?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      ...(b.scaleDown?.tolerance !== undefined ? { tolerance: b.scaleDown.tolerance } : {}),
    },
  };
}

/** The tolerance band of 1.33+ (Tolerances.isWithin), inclusive: (1 − down) ≤ ratio ≤ (1 + up). */
export function withinTolerance(ratio: number, up: number, down: number): boolean {
  return 1 - down <= ratio && ratio <= 1 + up;
}

/** The band of the release: ≤ 1.32 compared |1 − ratio| with the one flag tolerance. */
export function withinToleranceFor(edges: Pick<HpaEdges, 'band'>, ratio: number, tol: { up: number; down: number }): boolean {
  return edges.band === 'ratio' ? withinTolerance(ratio, tol.up, tol.down) : Math.abs(1 - ratio) <= tol.up;
}

let flagTol = { up: 0.1, down: 0.1 };
/** The flag's tolerance in both directions, the same (frozen) object while the flag does not change. */
function flagTolerance(t: number): { up: number; down: number } {
  if (flagTol.up !== t || flagTol.down !== t) flagTol = Object.freeze({ up: t, down: t });
  return flagTol;
}

/** tolerancesForHpa: per-direction tolerances from the behavior only when HPAConfigurableTolerance is on. */
export function tolerancesFor(spec: HpaSpec, flags: HpaFlags, edges: HpaEdges): { up: number; down: number } {
  const b = spec.behavior;
  if (!b || !edges.configurableTolerance) return flagTolerance(flags.tolerance);
  return { up: b.scaleUp?.tolerance ?? flags.tolerance, down: b.scaleDown?.tolerance ?? flags.tolerance };
}

const MAX_INT32 = 2 ** 31 - 1;
const MIN_INT32 = -(2 ** 31);
/**
 * Go's int32(float64) as kube-controller-manager's linux/amd64 build computes it: a value outside
 * int32 (or NaN) becomes MinInt32 (CVTTSD2SL's "integer indefinite"), so an overflowing proposal
 * turns into a very negative one.
 */
export function goInt32(x: number): number {
  return Number.isNaN(x) || x >= 2 ** 31 || x < MIN_INT32 ? MIN_INT32 : Math.trunc(x);
}

/**
 * Replicas one Object metric asks for (replica_calculator.go). `currentReplicas` is scale.spec.replicas
 * for a Value target and scale.status.replicas for an AverageValue one, as computeStatusForObjectMetric
 * passes them. Undefined = the metric is invalid (getReadyPodsCount found no pods: `podCount` 0).
 */
export function objectMetricReplicas(m: ObjectMetric, value: number, currentReplicas: number, readyPods: number, tol: { up: number; down: number }, opts: { edges?: HpaEdges; podCount?: number } = {}): number | undefined {
  return metricReplicas(m, value, currentReplicas, readyPods, tol, opts.edges ?? hpaEdges({}), opts.podCount);
}

// The same without an options object: reconcile calls it once per metric per sync.
function metricReplicas(m: ObjectMetric, value: number, currentReplicas: number, readyPods: number, tol: { up: number; down: number }, edges: HpaEdges, podCount: number | undefined): number | undefined {
  if (m.type === 'AverageValue') {
    // GetObjectPerPodMetricReplicas: ratio against target × status replicas; outside tolerance
    // ceil(value / target), converted to int32 without a cap in every release modelled.
    const ratio = value / (m.target * currentReplicas);
    if (withinToleranceFor(edges, ratio, tol)) return currentReplicas;
    return goInt32(Math.ceil(value / m.target));
  }
  const ratio = value / m.target;
  // getUsageRatioReplicaCount: from zero the tolerance is ignored and the ratio itself decides.
  if (currentReplicas === 0) return goInt32(Math.ceil(ratio));
  if (withinToleranceFor(edges, ratio, tol)) return currentReplicas;
  if (podCount === 0) return undefined;
  const raw = ratio * readyPods;
  if (edges.capValueProposal && raw > MAX_INT32) return MAX_INT32;
  return goInt32(Math.ceil(raw));
}

export interface HpaInput {
  /** Seconds (any monotonic clock). */
  now: number;
  spec: HpaSpec;
  flags: HpaFlags;
  /** scale.spec.replicas: the HPA's "current replicas" everywhere. */
  specReplicas: number;
  /** scale.status.replicas: only an AverageValue target's per-pod ratio reads it. */
  currentReplicas: number;
  readyPods: number;
  /** Pods the selector matches in any phase; 0 makes a Value metric outside tolerance invalid. Default: present. */
  podCount?: number;
  /** One value per metric in spec.metrics; undefined = could not be fetched. */
  values: (number | undefined)[];
}

export interface HpaDecision {
  desired: number;
  rescale: boolean;
  /** ScalingLimited / AbleToScale / ScalingActive reason, as the controller reports it. */
  reason: string;
  /** False when a metric was invalid (or none was computed). */
  metricValid: boolean;
}

/**
 * computeReplicasForMetrics: the largest proposal (its loop also lets a later proposal replace a
 * 0); all metrics invalid, or some invalid while the valid ones propose fewer than scale.spec.replicas,
 * is an error that ends the sync without a change.
 */
let proposalInvalid = 0;
/** The largest proposal, undefined for the error; how many metrics were invalid is left in `proposalInvalid` (no result object per sync). */
function proposeReplicas(inp: HpaInput, edges: HpaEdges, tol: { up: number; down: number }): number | undefined {
  let replicas = 0;
  let invalid = 0;
  const metrics = inp.spec.metrics;
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i]!;
    const v = inp.values[i];
    const current = m.type === 'AverageValue' ? inp.currentReplicas : inp.specReplicas;
    const p = v === undefined || !Number.isFinite(v) ? undefined : metricReplicas(m, v, current, inp.readyPods, tol, edges, inp.podCount);
    if (p === undefined) invalid++;
    else if (replicas === 0 || p > replicas) replicas = p;
  }
  if (invalid >= inp.spec.metrics.length || (invalid > 0 && replicas < inp.specReplicas)) return undefined;
  proposalInvalid = invalid;
  return replicas;
}

/** The zero-replica branch of reconcileAutoscaler: true = autoscaling is disabled for this target. */
function disabledAtZero(spec: HpaSpec, edges: HpaEdges, scaledToZero: boolean): boolean {
  if (!edges.zeroNeedsCondition) return spec.minReplicas !== 0;
  // shouldComputeMetricsForZeroReplicas (1.36+).
  const canScaleFromZero = scaledToZero && spec.metrics.length > 0;
  return !((spec.minReplicas !== 0 && scaledToZero) || canScaleFromZero);
}

/** One sync of one HPA (reconcileAutoscaler). Mutates `state` like the controller's maps. */
export function reconcile(inp: HpaInput, state: HpaState): HpaDecision {
  const { spec, flags } = inp;
  const edges = hpaEdges(flags);
  const b = spec.behavior ? defaultBehavior(spec.behavior, flags) : undefined;
  const desired = reconcileWith(inp, state, edges, tolerancesFor(spec, flags, edges), b);
  return { desired, rescale: synced.rescale, reason: synced.reason, metricValid: synced.metricValid };
}

/** Syncs from minReplicas on fresh histories until the decision holds (at most 50): where a run starts when `value` has held for long. */
export function settleReplicas(spec: HpaSpec, flags: HpaFlags, now: number, value: number): number {
  let cur = Math.max(spec.minReplicas, 1);
  for (let i = 0; i < 50; i++) {
    const d = reconcile({ now, spec, flags, specReplicas: cur, currentReplicas: cur, readyPods: cur, values: spec.metrics.map(() => value) }, newHpaState());
    if (d.desired === cur) break;
    cur = d.desired;
  }
  return cur;
}

/**
 * One HPA over a run whose spec and flags never change and whose clock never goes back, as the
 * simulator's: the release's edges, the tolerances and the defaulted behavior are resolved once, the
 * no-behavior stabilization max is kept in a `RecommendationWindow`, and a sync returns the replicas
 * without a result object. The decisions are reconcile's (a property test holds them equal). It is
 * the HPA kind's simulation for precomputed stepping itself (`ScalerSimulation`): the simulator's
 * most frequent call, `quiet`, reaches it without a wrapper, whose call level with doubles in its
 * arguments cost +10–30 % CPU per configuration of a sweep (measured).
 */
export class HpaRun implements ScalerSimulation {
  readonly state: HpaState = newWindowedHpaState();
  /** Whether the last sync rescaled. */
  rescale = false;
  private readonly edges: HpaEdges;
  private readonly tol: { up: number; down: number };
  private readonly behavior: ReturnType<typeof defaultBehavior> | undefined;
  private readonly oneMetric: boolean;
  private readonly downscaleWindow: number;
  /** Whether `quiet` needs the Ready pod count (a Value metric's proposal reads it). */
  readonly quietNeedsReady: boolean;
  /** `decide`'s input, one per run: `sync` keeps nothing of it. */
  private readonly input: HpaInput;

  constructor(readonly spec: HpaSpec, private readonly flags: HpaFlags) {
    this.input = { now: 0, spec, flags, specReplicas: 0, currentReplicas: 0, readyPods: 0, values: spec.metrics.map(() => 0) };
    this.downscaleWindow = flags.downscaleStabilizationSeconds;
    this.quietNeedsReady = spec.metrics[0]?.type === 'Value';
    this.edges = hpaEdges(flags);
    this.tol = tolerancesFor(spec, flags, this.edges);
    this.behavior = spec.behavior ? defaultBehavior(spec.behavior, flags) : undefined;
    this.oneMetric = !spec.behavior && spec.metrics.length === 1;
  }

  /**
   * The common sync (see `sync`) when it keeps `current` replicas (scale.spec = scale.status), without
   * an input object: true = taken, its recommendation recorded, no rescale; false = it would rescale
   * or is not the common one, nothing was recorded and the caller runs `sync`. `value` is the one
   * metric's; `readyPods` is read only for a Value metric. Most syncs of a day end here.
   */
  quiet(now: number, current: number, value: number, readyPods: number): boolean {
    const spec = this.spec;
    if (!this.oneMetric || this.state.recommendations === undefined || current <= 0 || current > spec.maxReplicas || current < spec.minReplicas || !Number.isFinite(value)) return false;
    const proposal = metricReplicas(spec.metrics[0]!, value, current, readyPods, this.tol, this.edges, undefined);
    if (proposal === undefined) return false;
    const window = this.state.window!;
    // Dropping stale entries here is no change: the sync that follows a false drops the same ones.
    const stabilized = Math.max(proposal, window.maxSince(now - this.downscaleWindow));
    if (withRules(stabilized, current, spec) !== current) return false;
    window.push(now, proposal);
    this.rescale = false;
    return true;
  }

  /** `sync` with every metric at `value` and scale.spec = scale.status = `current` (the simulator's sync). */
  decide(now: number, current: number, readyPods: number, value: number): number {
    return this.sync(simulatorInput(this.input, now, current, readyPods, value));
  }

  settle(now: number, value: number): number {
    return settleReplicas(this.spec, this.flags, now, value);
  }

  /** reconcile's `desired` for `inp` (whose spec and flags are the constructor's). */
  sync(inp: HpaInput): number {
    const spec = inp.spec;
    const current = inp.specReplicas;
    const v = inp.values[0];
    // The common sync takes the same steps as reconcileWith without its branches: one metric, no
    // behavior, a seeded history, replicas in range, a value to read.
    if (this.oneMetric && this.state.recommendations !== undefined && current > 0 && current <= spec.maxReplicas && current >= spec.minReplicas && v !== undefined && Number.isFinite(v)) {
      const m = spec.metrics[0]!;
      const proposal = metricReplicas(m, v, m.type === 'AverageValue' ? inp.currentReplicas : current, inp.readyPods, this.tol, this.edges, inp.podCount);
      if (proposal !== undefined) {
        const desired = normalizeNoBehavior(inp, current, proposal, this.state);
        this.rescale = desired !== current;
        if (this.rescale && this.edges.zeroNeedsCondition) this.state.scaledToZero = this.edges.scaleToZero && desired === 0 && spec.minReplicas === 0;
        return desired;
      }
    }
    const desired = reconcileWith(inp, this.state, this.edges, this.tol, this.behavior);
    this.rescale = synced.rescale;
    return desired;
  }
}

// What reconcileWith decided besides the replicas (no result object per sync).
const synced = { rescale: false, reason: '', metricValid: true };
function decided(desired: number, rescale: boolean, reason: string, metricValid: boolean): number {
  synced.rescale = rescale;
  synced.reason = reason;
  synced.metricValid = metricValid;
  return desired;
}

/** reconcileAutoscaler with the release's edges, the tolerances and the defaulted behavior given. */
function reconcileWith(inp: HpaInput, state: HpaState, edges: HpaEdges, tol: { up: number; down: number }, b: ReturnType<typeof defaultBehavior> | undefined): number {
  const { spec, flags, now } = inp;
  const current = inp.specReplicas;
  // recordInitialRecommendation: every sync, before any branch, seeds a new HPA's history.
  if (state.recommendations === undefined) {
    state.recommendations = [{ t: now, replicas: current }];
    state.window?.push(now, current);
  }
  const scaledToZero = edges.scaleToZero && state.scaledToZero === true;
  let desired: number;
  let reason: string;
  let metricValid = true;
  if (current === 0 && disabledAtZero(spec, edges, scaledToZero)) {
    return decided(0, false, 'ScalingDisabled', false);
  } else if (current !== 0 && current > spec.maxReplicas) {
    desired = spec.maxReplicas;
    reason = 'TooManyReplicas';
  } else if (current !== 0 && current < spec.minReplicas) {
    desired = spec.minReplicas;
    reason = 'TooFewReplicas';
  } else {
    const proposal = proposeReplicas(inp, edges, tol);
    if (proposal === undefined) return decided(current, false, 'FailedGetObjectMetric', false);
    metricValid = proposalInvalid === 0;
    desired = b ? normalizeWithBehavior(now, current, proposal, spec, b, state) : normalizeNoBehavior(inp, current, proposal, state);
    reason = normalizedReason;
    // 1.36+: from zero after the HPA's own scale-to-zero, at least minReplicas.
    if (current === 0 && spec.minReplicas !== 0 && scaledToZero && desired < spec.minReplicas) {
      desired = spec.minReplicas;
      reason = 'TooFewReplicas';
    }
  }
  const rescale = desired !== current;
  if (rescale) {
    if (spec.behavior) storeScaleEvent(now, current, desired, spec.behavior, flags, state);
    if (edges.zeroNeedsCondition) state.scaledToZero = edges.scaleToZero && current > 0 && desired === 0 && spec.minReplicas === 0 && spec.metrics.length > 0;
  }
  return decided(desired, rescale, reason, metricValid);
}

/** Overwrite the stale entry at `old` (upstream keeps the LAST stale index its loop saw), else append. */
function record(state: HpaState, now: number, replicas: number, old: number): void {
  const recs = state.recommendations!;
  const stale = old >= 0 ? recs[old] : undefined;
  // Reuse the stale entry's object: one allocation less per sync, the same history.
  if (stale) {
    stale.t = now;
    stale.replicas = replicas;
  } else recs.push({ t: now, replicas });
}

// The normalize functions return the replicas and leave the reason here: no tuple per sync.
let normalizedReason = '';
function normalized(replicas: number, reason: string): number {
  normalizedReason = reason;
  return replicas;
}

/** The replicas of normalizeNoBehavior's rules (scale-up limit max(2 × current, 4), then min/max), without the reason. */
function withRules(stabilized: number, current: number, spec: HpaSpec): number {
  const scaleUpLimit = Math.max(2 * current, 4);
  const maxAllowed = spec.maxReplicas > scaleUpLimit ? scaleUpLimit : spec.maxReplicas;
  return stabilized < spec.minReplicas ? spec.minReplicas : stabilized > maxAllowed ? maxAllowed : stabilized;
}

// Takes the input rather than `now`: a double argument to a call that is not inlined is boxed, once per sync.
function normalizeNoBehavior(inp: HpaInput, current: number, proposal: number, state: HpaState): number {
  const { now, spec, flags } = inp;
  // stabilizeRecommendation: the max over the downscale window, the current proposal included.
  const cutoff = now - flags.downscaleStabilizationSeconds;
  let max = proposal;
  if (state.window) {
    const m = state.window.maxSince(cutoff);
    if (m > max) max = m;
    state.window.push(now, proposal);
  } else {
    const recs = state.recommendations!;
    let old = -1;
    for (let i = 0; i < recs.length; i++) {
      const r = recs[i]!;
      if (r.t < cutoff) old = i;
      else if (r.replicas > max) max = r.replicas;
    }
    record(state, now, proposal, old);
  }
  let reason = max > proposal ? 'ScaleDownStabilized' : 'DesiredWithinRange';
  // convertDesiredReplicasWithRules: scale-up limit max(2 × current, 4), then min/max.
  const scaleUpLimit = Math.max(2 * current, 4);
  const maxAllowed = spec.maxReplicas > scaleUpLimit ? scaleUpLimit : spec.maxReplicas;
  const limitReason = spec.maxReplicas > scaleUpLimit ? 'ScaleUpLimit' : 'TooManyReplicas';
  if (max < spec.minReplicas) return normalized(spec.minReplicas, 'TooFewReplicas');
  if (max > maxAllowed) return normalized(maxAllowed, limitReason);
  if (max === current && reason === 'DesiredWithinRange') reason = 'ReadyForNewScale';
  return normalized(max, reason);
}

function changeInPeriod(events: ScaleEvent[], now: number, period: number): number {
  let sum = 0;
  for (const e of events) if (e.t > now - period) sum += e.change;
  return sum;
}

/**
 * calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors: each policy proposes a
 * limit from the replicas at the start of its period; Max picks the largest change, Min the smallest.
 * Scale-up Percent rounds up (or it could never add a pod); scale-down Percent truncates (int32).
 */
function policyLimit(dir: 'up' | 'down', now: number, current: number, state: HpaState, rules: Required<Omit<ScalingRules, 'tolerance'>>): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const largestChange = rules.selectPolicy !== 'Min';
  const pick = (dir === 'up') === largestChange ? Math.max : Math.min;
  let result = pick === Math.max ? MIN_INT32 : MAX_INT32;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(state.scaleUpEvents, now, p.periodSeconds) + changeInPeriod(state.scaleDownEvents, now, p.periodSeconds);
    const proposed =
      dir === 'up'
        ? p.type === 'Pods' ? start + p.value : goInt32(Math.ceil(start * (1 + p.value / 100)))
        : p.type === 'Pods' ? start - p.value : goInt32(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

export const scaleUpLimit = (now: number, current: number, state: HpaState, rules: Required<Omit<ScalingRules, 'tolerance'>>) => policyLimit('up', now, current, state, rules);
export const scaleDownLimit = (now: number, current: number, state: HpaState, rules: Required<Omit<ScalingRules, 'tolerance'>>) => policyLimit('down', now, current, state, rules);

function normalizeWithBehavior(now: number, current: number, proposal: number, spec: HpaSpec, b: ReturnType<typeof defaultBehavior>, state: HpaState): number {
  // stabilizeRecommendationWithBehaviors: up = min over the up window, down = max over the down window.
  const upCutoff = now - b.scaleUp.stabilizationWindowSeconds;
  const downCutoff = now - b.scaleDown.stabilizationWindowSeconds;
  const recs = state.recommendations!;
  let up = proposal;
  let down = proposal;
  let old = -1;
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    if (r.t > upCutoff) up = Math.min(up, r.replicas);
    if (r.t > downCutoff) down = Math.max(down, r.replicas);
    if (r.t < upCutoff && r.t < downCutoff) old = i;
  }
  let rec = current;
  if (rec < up) rec = up;
  if (rec > down) rec = down;
  record(state, now, proposal, old);
  let reason = rec !== proposal ? (rec > proposal ? 'ScaleDownStabilized' : 'ScaleUpStabilized') : 'DesiredWithinRange';
  // convertDesiredReplicasWithBehaviorRate.
  if (rec > current) {
    let limit = scaleUpLimit(now, current, state, b.scaleUp);
    if (limit < current) limit = current;
    const maxAllowed = Math.min(spec.maxReplicas, limit);
    if (rec > maxAllowed) return normalized(maxAllowed, spec.maxReplicas > limit ? 'ScaleUpLimit' : 'TooManyReplicas');
  } else if (rec < current) {
    let limit = scaleDownLimit(now, current, state, b.scaleDown);
    if (limit > current) limit = current;
    const minAllowed = Math.max(spec.minReplicas, limit);
    if (rec < minAllowed) return normalized(minAllowed, spec.minReplicas < limit ? 'ScaleDownLimit' : 'TooFewReplicas');
  }
  if (rec === current && reason === 'DesiredWithinRange') reason = 'ReadyForNewScale';
  return normalized(rec, reason);
}

/**
 * storeScaleEvent: mark the direction's events older than its longest policy period outdated, then
 * overwrite the last outdated one with the new event (or append). Outdated events the new one did not
 * overwrite stay, and a longer policy period of the other direction still counts them.
 */
export function storeScaleEvent(now: number, current: number, desired: number, b: Behavior, flags: HpaFlags, state: HpaState): void {
  const d = defaultBehavior(b, flags);
  const up = desired > current;
  const rules = up ? d.scaleUp : d.scaleDown;
  const events = up ? state.scaleUpEvents : state.scaleDownEvents;
  const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
  for (const e of events) if (e.t < now - longest) e.outdated = true;
  const event: ScaleEvent = { t: now, change: Math.abs(desired - current), outdated: false };
  const old = events.findLastIndex((e) => e.outdated === true);
  if (old >= 0) events[old] = event;
  else events.push(event);
}

/**
 * The simulator's sync input, reused in place (no allocation per sync): every metric at `value`,
 * scale.spec = scale.status = `current`.
 */
export function simulatorInput(input: HpaInput, now: number, current: number, readyPods: number, value: number): HpaInput {
  const values = input.values;
  for (let i = 0; i < values.length; i++) values[i] = value;
  input.now = now;
  input.specReplicas = input.currentReplicas = current;
  input.readyPods = readyPods;
  return input;
}
