/**
 * The HorizontalPodAutoscaler's decision, ported from upstream pkg/controller/podautoscaler
 * (horizontal.go: reconcileAutoscaler, normalizeDesiredReplicas[WithBehaviors],
 * stabilizeRecommendation[WithBehaviors], convertDesiredReplicasWith{Rules,BehaviorRate},
 * calculateScale{Up,Down}Limit*; replica_calculator.go: GetObject[PerPod]MetricReplicas,
 * getUsageRatioReplicaCount) and written in this project's style. Pure apart from the state object
 * the caller owns (recommendation history and scale events, as the controller keeps per HPA).
 */

export interface Policy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}
export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: Policy[];
  tolerance?: number;
}
export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

export interface ObjectMetric {
  /** Value: ratio = value / target; AverageValue: ratio = value / (target × current replicas). */
  type: 'Value' | 'AverageValue';
  target: number;
}

export interface HpaSpec {
  minReplicas: number;
  maxReplicas: number;
  metrics: ObjectMetric[];
  behavior?: Behavior;
}

/** kube-controller-manager flags. */
export interface HpaFlags {
  tolerance: number;
  downscaleStabilizationSeconds: number;
}

export interface HpaState {
  recommendations: { t: number; replicas: number }[] | undefined;
  scaleUpEvents: { t: number; change: number }[];
  scaleDownEvents: { t: number; change: number }[];
}

export const newHpaState = (): HpaState => ({ recommendations: undefined, scaleUpEvents: [], scaleDownEvents: [] });

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

/** The tolerance band, inclusive: (1 − down) ≤ ratio ≤ (1 + up). */
export function withinTolerance(ratio: number, up: number, down: number): boolean {
  return 1 - down <= ratio && ratio <= 1 + up;
}

/**
 * Replicas one Object metric asks for (replica_calculator.go). `value` undefined = the metric is
 * missing (invalid).
 */
export function objectMetricReplicas(m: ObjectMetric, value: number, currentReplicas: number, readyPods: number, tol: { up: number; down: number }): number {
  if (m.type === 'AverageValue') {
    // GetObjectPerPodMetricReplicas: ratio against target × current; outside tolerance ceil(value/target).
    const ratio = value / (m.target * currentReplicas);
    if (currentReplicas !== 0 && withinTolerance(ratio, tol.up, tol.down)) return currentReplicas;
    return Math.ceil(value / m.target);
  }
  const ratio = value / m.target;
  // getUsageRatioReplicaCount: from zero the tolerance is ignored and the ratio itself decides.
  if (currentReplicas === 0) return Math.ceil(ratio);
  if (withinTolerance(ratio, tol.up, tol.down)) return currentReplicas;
  return Math.ceil(ratio * readyPods);
}

export interface HpaInput {
  /** Seconds (any monotonic clock). */
  now: number;
  spec: HpaSpec;
  flags: HpaFlags;
  /** scale.spec.replicas and scale.status.replicas of the target. */
  specReplicas: number;
  currentReplicas: number;
  readyPods: number;
  /** One value per metric in spec.metrics; undefined = could not be fetched. */
  values: (number | undefined)[];
}

export interface HpaDecision {
  desired: number;
  rescale: boolean;
  /** ScalingLimited / AbleToScale reason, as the controller reports it. */
  reason: string;
  /** Which metric path produced the proposal ('none' when every metric was invalid). */
  metricValid: boolean;
}

/** One sync of one HPA (reconcileAutoscaler). Mutates `state` like the controller's maps. */
export function reconcile(inp: HpaInput, state: HpaState): HpaDecision {
  const { spec, flags, now } = inp;
  const current = inp.currentReplicas;
  let desired: number;
  let reason = 'DesiredWithinRange';
  let metricValid = true;
  if (inp.specReplicas === 0 && spec.minReplicas !== 0) {
    // Autoscaling is disabled for a target scaled to zero by hand.
    return { desired: 0, rescale: false, reason: 'ScalingDisabled', metricValid: false };
  } else if (current > spec.maxReplicas) {
    desired = spec.maxReplicas;
    reason = 'TooManyReplicas';
  } else if (current < spec.minReplicas) {
    desired = spec.minReplicas;
    reason = 'TooFewReplicas';
  } else {
    const b = spec.behavior ? defaultBehavior(spec.behavior, flags) : undefined;
    const tol = { up: b?.scaleUp.tolerance ?? flags.tolerance, down: b?.scaleDown.tolerance ?? flags.tolerance };
    let proposal = -1;
    let invalid = 0;
    spec.metrics.forEach((m, i) => {
      const v = inp.values[i];
      if (v === undefined || !Number.isFinite(v)) {
        invalid++;
        return;
      }
      proposal = Math.max(proposal, objectMetricReplicas(m, v, current, inp.readyPods, tol));
    });
    // computeReplicasForMetrics: all invalid → no change; some invalid → never scale down.
    if (invalid === spec.metrics.length) return { desired: current, rescale: false, reason: 'FailedGetObjectMetric', metricValid: false };
    if (invalid > 0 && proposal < current) proposal = current;
    metricValid = invalid === 0;
    if (!b) [desired, reason] = normalizeNoBehavior(now, current, proposal, spec, flags, state);
    else [desired, reason] = normalizeWithBehavior(now, current, proposal, spec, b, state);
  }
  const rescale = desired !== current;
  if (rescale && spec.behavior) storeScaleEvent(now, current, desired, spec.behavior, flags, state);
  return { desired, rescale, reason, metricValid };
}

function record(state: HpaState, now: number, replicas: number, isOld: (t: number) => boolean): void {
  const recs = state.recommendations!;
  const old = recs.findIndex((r) => isOld(r.t));
  if (old >= 0) recs[old] = { t: now, replicas };
  else recs.push({ t: now, replicas });
}

function normalizeNoBehavior(now: number, current: number, proposal: number, spec: HpaSpec, flags: HpaFlags, state: HpaState): [number, string] {
  // stabilizeRecommendation: the max over the downscale window, the current proposal included;
  // a new HPA starts its history with the current replica count.
  state.recommendations ??= [{ t: now, replicas: current }];
  const cutoff = now - flags.downscaleStabilizationSeconds;
  let max = proposal;
  for (const r of state.recommendations) if (r.t >= cutoff && r.replicas > max) max = r.replicas;
  record(state, now, proposal, (t) => t < cutoff);
  let reason = max > proposal ? 'ScaleDownStabilized' : 'DesiredWithinRange';
  // convertDesiredReplicasWithRules: scale-up limit max(2 × current, 4), then min/max.
  const scaleUpLimit = Math.max(2 * current, 4);
  const maxAllowed = spec.maxReplicas > scaleUpLimit ? scaleUpLimit : spec.maxReplicas;
  const limitReason = spec.maxReplicas > scaleUpLimit ? 'ScaleUpLimit' : 'TooManyReplicas';
  if (max < spec.minReplicas) return [spec.minReplicas, 'TooFewReplicas'];
  if (max > maxAllowed) return [maxAllowed, limitReason];
  if (max === current && reason === 'DesiredWithinRange') reason = 'ReadyForNewScale';
  return [max, reason];
}

function changeInPeriod(events: { t: number; change: number }[], now: number, period: number): number {
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
  let result = pick === Math.max ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies) {
    const start = current - changeInPeriod(state.scaleUpEvents, now, p.periodSeconds) + changeInPeriod(state.scaleDownEvents, now, p.periodSeconds);
    const proposed =
      dir === 'up'
        ? p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100))
        : p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

export const scaleUpLimit = (now: number, current: number, state: HpaState, rules: Required<Omit<ScalingRules, 'tolerance'>>) => policyLimit('up', now, current, state, rules);
export const scaleDownLimit = (now: number, current: number, state: HpaState, rules: Required<Omit<ScalingRules, 'tolerance'>>) => policyLimit('down', now, current, state, rules);

function normalizeWithBehavior(now: number, current: number, proposal: number, spec: HpaSpec, b: ReturnType<typeof defaultBehavior>, state: HpaState): [number, string] {
  state.recommendations ??= [{ t: now, replicas: current }];
  // stabilizeRecommendationWithBehaviors: up = min over the up window, down = max over the down window.
  const upCutoff = now - b.scaleUp.stabilizationWindowSeconds;
  const downCutoff = now - b.scaleDown.stabilizationWindowSeconds;
  let up = proposal;
  let down = proposal;
  for (const r of state.recommendations) {
    if (r.t > upCutoff) up = Math.min(up, r.replicas);
    if (r.t > downCutoff) down = Math.max(down, r.replicas);
  }
  let rec = current;
  if (rec < up) rec = up;
  if (rec > down) rec = down;
  record(state, now, proposal, (t) => t < upCutoff && t < downCutoff);
  let reason = rec !== proposal ? (rec > proposal ? 'ScaleDownStabilized' : 'ScaleUpStabilized') : 'DesiredWithinRange';
  // convertDesiredReplicasWithBehaviorRate.
  if (rec > current) {
    let limit = scaleUpLimit(now, current, state, b.scaleUp);
    if (limit < current) limit = current;
    const maxAllowed = Math.min(spec.maxReplicas, limit);
    if (rec > maxAllowed) return [maxAllowed, spec.maxReplicas > limit ? 'ScaleUpLimit' : 'TooManyReplicas'];
  } else if (rec < current) {
    let limit = scaleDownLimit(now, current, state, b.scaleDown);
    if (limit > current) limit = current;
    const minAllowed = Math.max(spec.minReplicas, limit);
    if (rec < minAllowed) return [minAllowed, spec.minReplicas < limit ? 'ScaleDownLimit' : 'TooFewReplicas'];
  }
  if (rec === current && reason === 'DesiredWithinRange') reason = 'ReadyForNewScale';
  return [rec, reason];
}

/** storeScaleEvent: remembered for the longest policy period of its direction. */
function storeScaleEvent(now: number, current: number, desired: number, b: Behavior, flags: HpaFlags, state: HpaState): void {
  const d = defaultBehavior(b, flags);
  const keep = (rules: { policies: Policy[] }) => Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
  if (desired > current) {
    state.scaleUpEvents = state.scaleUpEvents.filter((e) => e.t > now - keep(d.scaleUp));
    state.scaleUpEvents.push({ t: now, change: desired - current });
  } else {
    state.scaleDownEvents = state.scaleDownEvents.filter((e) => e.t > now - keep(d.scaleDown));
    state.scaleDownEvents.push({ t: now, change: current - desired });
  }
}
