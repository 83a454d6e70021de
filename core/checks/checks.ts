import { DEFAULT_TIME_ZONE, formatClock } from '../time-zone.ts';
import type { Timeline, TimelineEvent, TimelineSample } from '../timeline/format.ts';
import type { CheckResult, Expectation } from './expectations.ts';
import { elapsedIntervals } from '../timeline/intervals.ts';
import { timelineTiers, type Tiers } from './tiers.ts';

/** Pure checks of a recorded or simulated timeline against a scenario's expectations. */

/** A time in a message: the clock of the scenario's zone, named ("07:12:30 Asia/Shanghai"). */
const clockIn = (tl: Timeline) => (t: number) => `${formatClock(t, tl.meta.timeZone ?? DEFAULT_TIME_ZONE, true)} ${tl.meta.timeZone ?? DEFAULT_TIME_ZONE}`;
const series = (s: TimelineSample, of: 'hpa.desired' | 'ew.replicas') => (of === 'hpa.desired' ? s.hpa.desired : s.ew.replicas);
const readyCapacity = (s: TimelineSample) => s.pods.ecs.ready + s.pods.eci.ready;

/** Share of samples (in %) where ready replicas cover the needed replicas. */
export function sloCoverage(tl: Timeline): number {
  if (tl.samples.length === 0) return 0;
  return (100 * tl.samples.filter((s) => readyCapacity(s) >= s.needed).length) / tl.samples.length;
}

/** ECI pod-hours: ready and pending (billed from instance start) ECI pods integrated over time. */
export function eciPodHours(tl: Timeline): number {
  const dt = elapsedIntervals(tl.samples);
  let ms = 0;
  for (let i = 1; i < tl.samples.length; i++) {
    const a = tl.samples[i - 1]!;
    ms += (a.pods.eci.ready + a.pods.eci.pending) * dt[i - 1]!;
  }
  return ms / 3_600_000;
}

/** Direction changes of the HPA's decisions within any sliding hour (max over the replay). */
export function maxDirectionChangesPerHour(tl: Timeline): { max: number; at?: number } {
  const rescales = tl.events.filter((e) => e.type === 'hpa.rescale' && e.from !== undefined && e.to !== undefined && e.to !== e.from);
  const changes: number[] = [];
  let last = 0;
  for (const e of rescales) {
    const dir = Math.sign(e.to! - e.from!);
    if (last !== 0 && dir !== last) changes.push(e.t);
    last = dir;
  }
  let best = 0;
  let at: number | undefined;
  for (let i = 0, j = 0; i < changes.length; i++) {
    while (changes[i]! - changes[j]! > 3_600_000) j++;
    if (i - j + 1 > best) {
      best = i - j + 1;
      at = changes[i];
    }
  }
  return { max: best, at };
}

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
 * Index ranges [from, to) of samples that saw time pass continuously. A replay of several windows
 * skips the hours between them: a sample pair that spans the start of a window after a declared
 * gap (meta.windows), or without declared windows an interval over 3× the median, is not observed
 * time, and no duration may be measured across it.
 */
export function observedRuns(tl: Timeline): [number, number][] {
  const s = tl.samples;
  const ws = [...(tl.meta.windows ?? [])].sort((a, b) => a.start - b.start);
  const gapStarts = ws.slice(1).filter((w, i) => w.start > ws[i]!.end).map((w) => w.start);
  const dt = elapsedIntervals(s);
  const crossesGap = (i: number) =>
    ws.length > 0 ? gapStarts.some((g) => s[i - 1]!.t < g && g <= s[i]!.t) : dt[i - 1] === 0 && s[i]!.t > s[i - 1]!.t;
  const runs: [number, number][] = [];
  let from = 0;
  for (let i = 1; i < s.length; i++) {
    if (!crossesGap(i)) continue;
    runs.push([from, i]);
    from = i;
  }
  if (s.length > 0) runs.push([from, s.length]);
  return runs;
}

/**
 * Seconds from each rise of the needed level to the first sample where the desired count reaches
 * it (capped at maxReplicas); a rise never reached counts to the end of its window — never across
 * the skipped time to the next window.
 */
export function reactionTimes(tl: Timeline, maxReplicas = Infinity, tolerance = 0): { t: number; seconds: number; reached: boolean }[] {
  const out: { t: number; seconds: number; reached: boolean }[] = [];
  const level = (x: TimelineSample) => Math.min(tolerance > 0 ? Math.ceil(x.devices / (tl.meta.devicesPerReplica * (1 + tolerance))) : x.needed, maxReplicas);
  for (const [from, to] of observedRuns(tl)) {
    const s = tl.samples.slice(from, to);
    for (let i = 1; i < s.length; i++) {
      const need = level(s[i]!);
      if (need <= level(s[i - 1]!) || s[i]!.hpa.desired >= need) continue;
      const hit = s.slice(i).find((x) => x.hpa.desired >= need);
      const end = hit ?? s.at(-1)!;
      out.push({ t: s[i]!.t, seconds: (end.t - s[i]!.t) / 1000, reached: hit !== undefined });
    }
  }
  return out;
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

function checkReactionTime(tl: Timeline, e: Of<'reactionTime'>): CheckResult {
  const rs = reactionTimes(tl, e.maxReplicas, e.tolerance);
  const worst = rs.reduce<(typeof rs)[number] | undefined>((w, r) => (!w || r.seconds > w.seconds ? r : w), undefined);
  const passed = !worst || (worst.reached && worst.seconds <= e.withinSeconds);
  return {
    name: `reactionTime(≤ ${e.withinSeconds}s${e.tolerance ? `, tolerance ${e.tolerance}` : ''})`,
    passed,
    message: worst
      ? `slowest reaction ${worst.seconds.toFixed(0)}s${worst.reached ? '' : ' (never reached)'} after the rise at ${clockIn(tl)(worst.t)}; limit ${e.withinSeconds}s`
      : 'the needed level never rose above the desired count',
    at: passed ? undefined : worst?.t,
    value: worst?.seconds,
  };
}

function checkDirectionChanges(tl: Timeline, e: Of<'maxDirectionChangesPerHour'>): CheckResult {
  const { max, at } = maxDirectionChangesPerHour(tl);
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

/** One expectation; `tiers` names the placement's tiers (default: as the timeline records them, in the words of today's kinds). */
export function check(tl: Timeline, e: Expectation, baseline?: Timeline, tiers: Tiers = timelineTiers()): CheckResult {
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
      return checkReactionTime(tl, e);
    case 'maxDirectionChangesPerHour':
      return checkDirectionChanges(tl, e);
    case 'sloCoverage': {
      const c = sloCoverage(tl);
      return { name: `sloCoverage(≥ ${e.minPercent}%)`, passed: c >= e.minPercent, message: `ready capacity covered the need ${c.toFixed(1)}% of the time; required ${e.minPercent}%`, value: c };
    }
    case 'eciPodHours': {
      const h = eciPodHours(tl);
      return { name: `eciPodHours(≤ ${e.max})`, passed: h <= e.max, message: `${h.toFixed(2)} ECI pod-hours; budget ${e.max}`, value: h };
    }
    case 'eciCost': {
      const cost = eciPodHours(tl) * e.pricePerPodHour;
      return { name: `eciCost(≤ ${e.max})`, passed: cost <= e.max, message: `ECI cost ${cost.toFixed(2)}; budget ${e.max}`, value: cost };
    }
    case 'baseline':
      return checkBaseline(tl, e, baseline);
  }
}

export function checkAll(tl: Timeline, expectations: Expectation[], baseline?: Timeline, tiers?: Tiers): CheckResult[] {
  return expectations.map((e) => check(tl, e, baseline, tiers));
}
