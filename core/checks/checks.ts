import { DEFAULT_TIME_ZONE, formatClock } from '../time-zone.ts';
import type { Timeline, TimelineEvent, TimelineSample } from '../timeline/format.ts';
import type { CheckResult, Expectation } from './expectations.ts';
import { timelineTiers, type Tiers } from './tiers.ts';
import { costOf, measure, type RunBasis } from './measures.ts';
import { formatMoney } from '../prices.ts';

// The measures are defined once in measures.ts; these names stay importable from here.
export { sloCoverage, eciPodHours, maxDirectionChangesPerHour, observedRuns, reactionTimes, directionChanges } from './measures.ts';

/** Pure checks of a recorded or simulated timeline against a scenario's expectations. */

/** A time in a message: the clock of the scenario's zone, named ("07:12:30 Asia/Shanghai"). */
const clockIn = (tl: Timeline) => (t: number) => `${formatClock(t, tl.meta.timeZone ?? DEFAULT_TIME_ZONE, true)} ${tl.meta.timeZone ?? DEFAULT_TIME_ZONE}`;
const series = (s: TimelineSample, of: 'hpa.desired' | 'ew.replicas') => (of === 'hpa.desired' ? s.hpa.desired : s.ew.replicas);

/**
 * First time a pod was deleted while a pod of a more expensive tier still existed (the cheapest
 * tier's pod while overflow pods lived, for the ElasticWorkload: a source pod while unit pods lived).
 */
export function scaleDownOrderViolation(tl: Timeline, tiers: Tiers = timelineTiers()): TimelineEvent | undefined {
  const live = new Map<number, Set<string>>();
  const liveIn = (tier: number) => live.get(tier) ?? live.set(tier, new Set()).get(tier)!;
  const ordered = [...tl.events].sort((a, b) => a.t - b.t);
  for (const e of ordered) {
    if (!e.object || !e.owner) continue;
    const tier = tiers.tierOf(e.owner);
    if (e.type === 'pod.created') liveIn(tier).add(e.object);
    if (e.type === 'pod.deleted' || e.type === 'pod.failed') liveIn(tier).delete(e.object);
    if (e.type === 'pod.deleted' && [...live].some(([t, pods]) => t > tier && pods.size > 0)) return e;
  }
  return undefined;
}

/**
 * Agreement (in %) of two timelines' replica series, aligned by offset from their declared start
 * (meta.start: the window start, whatever instant the first sample happened to be taken).
 */
export function agreement(tl: Timeline, base: Timeline, of: 'hpa.desired' | 'ew.replicas', tolerance: number): { percent: number; worstAt?: number; worstDiff: number } {
  if (base.samples.length === 0 || tl.samples.length === 0) return { percent: 0, worstDiff: Infinity };
  const b0 = base.meta.start;
  const t0 = tl.meta.start;
  let within = 0;
  let worstDiff = 0;
  let worstAt: number | undefined;
  let j = 0;
  for (const s of tl.samples) {
    const off = s.t - t0;
    while (j + 1 < base.samples.length && base.samples[j + 1]!.t - b0 <= off) j++;
    const d = Math.abs(series(s, of) - series(base.samples[j]!, of));
    if (d <= tolerance) within++;
    if (d > worstDiff) {
      worstDiff = d;
      worstAt = s.t;
    }
  }
  return { percent: (100 * within) / tl.samples.length, worstAt, worstDiff };
}

type Of<T extends Expectation['type']> = Extract<Expectation, { type: T }>;

function checkReplicaBounds(tl: Timeline, e: Of<'replicaBounds'>): CheckResult {
  const bad = tl.samples.find((s) => series(s, e.of) < e.min || series(s, e.of) > e.max);
  return {
    name: `replicaBounds(${e.of} in [${e.min}, ${e.max}])`,
    passed: !bad,
    message: bad ? `${e.of} was ${series(bad, e.of)} at ${clockIn(tl)(bad.t)}, outside [${e.min}, ${e.max}]` : `${e.of} stayed within [${e.min}, ${e.max}]`,
    at: bad?.t,
  };
}

function checkSourceNeverAboveMax(tl: Timeline, { words }: Tiers): CheckResult {
  const bad = tl.samples.find((s) => s.ew.source > tl.meta.sourceMax);
  return {
    name: `sourceNeverAboveMax(${tl.meta.sourceMax})`,
    passed: !bad,
    message: bad ? `${words.cheapest} Deployment had ${bad.ew.source} replicas at ${clockIn(tl)(bad.t)}, above its max ${tl.meta.sourceMax}` : `${words.cheapest} Deployment never exceeded ${tl.meta.sourceMax}`,
    at: bad?.t,
  };
}

/** Each tier's pods ran where the tier is meant to run: the cheapest on ECS, overflow only on the virtual node. */
function checkOverflowOnlyOnVirtualNode(tl: Timeline, tiers: Tiers): CheckResult {
  const bad = tl.events.find((x) => (x.type === 'pod.scheduled' || x.type === 'pod.ready') && x.nodeType !== undefined && x.nodeType !== tiers.nodeOf(tiers.tierOf(x.owner)));
  const { words } = tiers;
  return {
    name: 'overflowOnlyOnVirtualNode',
    passed: !bad,
    message: bad ? `pod ${bad.object} of ${bad.owner} ran on ${bad.node} (${bad.nodeType}) at ${clockIn(tl)(bad.t)}` : `${words.cheapest} pods ran on ECS nodes and ${words.overflow} pods only on the virtual node`,
    at: bad?.t,
  };
}

function checkScaleDownOrder(tl: Timeline, tiers: Tiers): CheckResult {
  const bad = scaleDownOrderViolation(tl, tiers);
  const { words } = tiers;
  return {
    name: 'scaleDownOrder',
    passed: !bad,
    message: bad ? `${words.cheapest} pod ${bad.object} was deleted at ${clockIn(tl)(bad.t)} while ${words.overflow} pods still existed` : `no ${words.cheapest} pod was removed while ${words.overflow} pods existed`,
    at: bad?.t,
  };
}

function checkReactionTime(tl: Timeline, e: Of<'reactionTime'>, ctx: CheckContext): CheckResult {
  const worst = measure(tl, { maxReplicas: e.maxReplicas ?? ctx.hpaMaxReplicas ?? Infinity, tolerance: e.tolerance }).slowestReaction;
  const cap = e.maxReplicas ?? ctx.hpaMaxReplicas;
  const passed = !worst || (worst.reached && worst.seconds <= e.withinSeconds);
  return {
    name: `reactionTime(≤ ${e.withinSeconds}s${e.tolerance ? `, tolerance ${e.tolerance}` : ''}${e.maxReplicas !== undefined ? `, cap ${e.maxReplicas}` : ''})`,
    passed,
    message: worst
      ? `slowest reaction ${worst.seconds.toFixed(0)}s${worst.reached ? '' : ' (never reached)'} after the rise at ${clockIn(tl)(worst.t)}${!worst.reached && cap !== undefined && e.maxReplicas === undefined ? ` (needed level capped at the HPA's maxReplicas ${cap})` : ''}; limit ${e.withinSeconds}s`
      : 'the needed level never rose above the desired count',
    at: passed ? undefined : worst?.t,
    value: worst?.seconds,
  };
}

function checkDirectionChanges(tl: Timeline, e: Of<'maxDirectionChangesPerHour'>): CheckResult {
  const { max, at } = measure(tl).maxDirectionChangesPerHour;
  return {
    name: `maxDirectionChangesPerHour(≤ ${e.max})`,
    passed: max <= e.max,
    message: `${max} direction changes in the worst hour${at !== undefined ? ` (ending ${clockIn(tl)(at)})` : ''}; limit ${e.max}`,
    at: max > e.max ? at : undefined,
    value: max,
  };
}

function checkBaseline(tl: Timeline, e: Of<'baseline'>, baseline?: Timeline): CheckResult {
  if (!baseline) return { name: 'baseline', passed: false, message: 'no baseline timeline given (--baseline FILE or expectation file)' };
  const a = agreement(tl, baseline, e.of, e.toleranceReplicas);
  return {
    name: `baseline(${e.of} ±${e.toleranceReplicas}, ≥ ${e.minAgreementPercent}%)`,
    passed: a.percent >= e.minAgreementPercent,
    message: `${a.percent.toFixed(1)}% of samples within ±${e.toleranceReplicas} of the baseline; worst drift ${a.worstDiff}${a.worstAt !== undefined ? ` at ${clockIn(tl)(a.worstAt)}` : ''}`,
    at: a.percent >= e.minAgreementPercent ? undefined : a.worstAt,
    value: a.percent,
  };
}

/**
 * What a check may know of the run beyond its timeline: its basis (measures.ts) — the HPA's
 * maxReplicas caps a reactionTime expectation that names none, the prices price eciCost.
 */
export type CheckContext = Partial<RunBasis>;

function checkEciCost(tl: Timeline, e: Of<'eciCost'>, ctx: CheckContext): CheckResult {
  const name = `eciCost(≤ ${e.max})`;
  const m = measure(tl);
  if (e.pricePerPodHour !== undefined) {
    const cost = m.eciPodHours * e.pricePerPodHour;
    return { name, passed: cost <= e.max, message: `ECI cost ${cost.toFixed(2)} per ${(m.observedSeconds / 3600).toFixed(2)} h observed at ${e.pricePerPodHour} a pod-hour; budget ${e.max}`, value: cost };
  }
  if (!ctx.cost) return { name, passed: false, message: 'no prices to compute the ECI cost with: give pricePerPodHour, or run it through simulate or replay (which know the pod and the prices)' };
  const c = costOf(m, ctx.cost);
  return { name, passed: c.eci <= e.max, message: `ECI cost ${formatMoney(c.eci, c.currency, c.periodSeconds)}; budget ${e.max} ${c.currency}`, value: c.eci };
}

/** One expectation; `tiers` names the placement's tiers (default: as the timeline records them, in the words of today's kinds). */
export function check(tl: Timeline, e: Expectation, baseline?: Timeline, tiers: Tiers = timelineTiers(), ctx: CheckContext = {}): CheckResult {
  switch (e.type) {
    case 'replicaBounds':
      return checkReplicaBounds(tl, e);
    case 'sourceNeverAboveMax':
      return checkSourceNeverAboveMax(tl, tiers);
    case 'overflowOnlyOnVirtualNode':
      return checkOverflowOnlyOnVirtualNode(tl, tiers);
    case 'scaleDownOrder':
      return checkScaleDownOrder(tl, tiers);
    case 'reactionTime':
      return checkReactionTime(tl, e, ctx);
    case 'maxDirectionChangesPerHour':
      return checkDirectionChanges(tl, e);
    case 'sloCoverage': {
      const c = measure(tl).sloCoveragePercent;
      return { name: `sloCoverage(≥ ${e.minPercent}%)`, passed: c >= e.minPercent, message: `ready capacity covered the need ${c.toFixed(1)}% of the time; required ${e.minPercent}%`, value: c };
    }
    case 'eciPodHours': {
      const h = measure(tl).eciPodHours;
      return { name: `eciPodHours(≤ ${e.max})`, passed: h <= e.max, message: `${h.toFixed(2)} ECI pod-hours; budget ${e.max}`, value: h };
    }
    case 'eciCost':
      return checkEciCost(tl, e, ctx);
    case 'baseline':
      return checkBaseline(tl, e, baseline);
  }
}

export function checkAll(tl: Timeline, expectations: Expectation[], baseline?: Timeline, tiers?: Tiers, ctx: CheckContext = {}): CheckResult[] {
  return expectations.map((e) => check(tl, e, baseline, tiers, ctx));
}
