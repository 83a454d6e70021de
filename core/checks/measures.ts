import type { Timeline, TimelineSample } from '../timeline/format.ts';
import { elapsedIntervals } from '../timeline/intervals.ts';
import { ecsNodePricePerSecond, eciPodPricePerSecond, formatMoney, type EcsPoolShape, type Prices } from '../prices.ts';
import { CHEAPEST_OWNER, tierName, timelineTiers, type Tiers } from './tiers.ts';

/**
 * Every figure ebbflow reports about a run, each defined once: SLO coverage, ECI pod-hours, reaction
 * time, direction changes, peak replicas and cost. Expectations (checks.ts), the baseline diff and
 * the summary (reports/), the simulator's summary that whatif sweeps and prints (simulator/) all
 * take them from here, so one timeline gives one figure wherever it is shown
 * (`measures.consistency.test.ts`).
 *
 * One `MeasureRecorder` computes them all in a single pass over the samples, in time order: the
 * simulator feeds it as it steps (a sweep builds no timeline), `measure(timeline)` feeds it a
 * recorded or simulated timeline. Time is only counted inside observed runs: the hours a replay
 * skips between its windows are neither coverage, nor pod-hours, nor reaction time, nor cost.
 */

/** How reaction time is measured; the same for the expectation, the diff and the summary of a run. */
export interface MeasureSettings {
  /**
   * The needed level is capped here: the HPA's maxReplicas (desired never goes above it, so a rise
   * beyond it would read as "never reached"). Infinity when unknown.
   */
  maxReplicas: number;
  /**
   * The HPA's tolerance band: a rise counts as met once desired ≥ ceil(devices / (devicesPerReplica ×
   * (1 + tolerance))). 0 asks for the exact needed level.
   */
  tolerance: number;
}

export const EXACT_SETTINGS: MeasureSettings = Object.freeze({ maxReplicas: Infinity, tolerance: 0 });

/**
 * The settings of a run: the scenario's first `reactionTime` expectation's cap and tolerance, so the
 * summary and the diff measure what the expectation checks; its missing cap is the HPA's maxReplicas.
 */
export function measureSettings(expectations: readonly { type: string; maxReplicas?: number; tolerance?: number }[], hpaMaxReplicas?: number): MeasureSettings {
  const e = expectations.find((x) => x.type === 'reactionTime');
  return { maxReplicas: e?.maxReplicas ?? hpaMaxReplicas ?? Infinity, tolerance: e?.tolerance ?? 0 };
}

/** What one sample tells the measures. */
export interface MeasureSample {
  /** Virtual epoch ms. */
  t: number;
  devices: number;
  needed: number;
  /** The HPA's desired count. */
  desired: number;
  /** Replicas the HPA's target runs (the ElasticWorkload's, or the workload's own). */
  replicas: number;
  ecsReady: number;
  eciReady: number;
  /** ECI pods billed now: ready and pending (ECI bills from instance start); failed ones are not. */
  eciBilled: number;
}

export interface Reaction {
  /** When the needed level rose (virtual epoch ms). */
  t: number;
  seconds: number;
  reached: boolean;
}

export interface Measures {
  samples: number;
  /** Observed virtual seconds: the sum of sample intervals inside the runs (gaps between windows excluded). */
  observedSeconds: number;
  /** Share of samples (in %) where ready pods cover the needed replicas; 0 without samples. */
  sloCoveragePercent: number;
  /** ECI pods billed, integrated over observed time (each sample's count holds until the next). */
  eciPodSeconds: number;
  eciPodHours: number;
  /** Every rise of the needed level and how long desired took to reach it, in order. */
  reactions: Reaction[];
  /** The slowest of them; undefined when the level never rose above the desired count. */
  slowestReaction?: Reaction;
  /** Changes of direction of the HPA's rescales over the run. */
  directionChanges: number;
  /** Most direction changes within any sliding hour, and the change that ended that hour. */
  maxDirectionChangesPerHour: { max: number; at?: number };
  peakReplicas: number;
  /** Ready ECS and ECI pods at the sample with the most ready pods (the first such). */
  peakReady: { ecs: number; eci: number };
}

const HOUR_MS = 3_600_000;

/** One pass over a run's samples and rescales, in time order; `result()` at any point. */
export class MeasureRecorder {
  private n = 0;
  private covered = 0;
  observedSeconds = 0;
  eciPodSeconds = 0;
  private prevT = NaN;
  private prevEci = 0;
  private prevLevel = 0;
  private readonly reactions: Reaction[] = [];
  /** Rises not reached yet: index into `reactions` and the level to reach. */
  private pending: { i: number; level: number }[] = [];
  private lastDir = 0;
  private readonly changes: number[] = [];
  private peak = 0;
  private peakReadyTotal = -1;
  private peakReady = { ecs: 0, eci: 0 };

  constructor(
    private readonly devicesPerReplica: number,
    private readonly settings: MeasureSettings = EXACT_SETTINGS,
  ) {}

  private level(devices: number, needed: number): number {
    const tol = this.settings.tolerance;
    return Math.min(tol > 0 ? Math.ceil(devices / (this.devicesPerReplica * (1 + tol))) : needed, this.settings.maxReplicas);
  }

  /** A rise not reached by the end of its run counts to that run's last sample, not reached. */
  private closeRun(): void {
    for (const p of this.pending) this.reactions[p.i]!.seconds = (this.prevT - this.reactions[p.i]!.t) / 1000;
    this.pending = [];
  }

  /** The next sample; `newRun`: time before it was skipped (a later window), not observed. */
  sample(s: MeasureSample, newRun = false): void {
    this.values(s.t, s.devices, s.needed, s.desired, s.replicas, s.ecsReady, s.eciReady, s.eciBilled, newRun);
  }

  /** `sample` with its fields as arguments: the simulator's hot loop allocates no object per sample. */
  values(t: number, devices: number, needed: number, desired: number, replicas: number, ecsReady: number, eciReady: number, eciBilled: number, newRun: boolean): void {
    const first = this.n === 0 || newRun;
    if (!first) {
      const dt = t - this.prevT;
      this.observedSeconds += dt / 1000;
      this.eciPodSeconds += (this.prevEci * dt) / 1000;
    } else if (this.n > 0) this.closeRun();
    this.n++;
    const ready = ecsReady + eciReady;
    if (ready >= needed) this.covered++;
    if (replicas > this.peak) this.peak = replicas;
    if (ready > this.peakReadyTotal) {
      this.peakReadyTotal = ready;
      this.peakReady = { ecs: ecsReady, eci: eciReady };
    }
    if (this.pending.length > 0) this.reach(t, desired);
    const level = this.level(devices, needed);
    if (!first && level > this.prevLevel && desired < level) {
      this.pending.push({ i: this.reactions.length, level });
      this.reactions.push({ t, seconds: 0, reached: false });
    }
    this.prevLevel = level;
    this.prevT = t;
    this.prevEci = eciBilled;
  }

  private reach(t: number, desired: number): void {
    this.pending = this.pending.filter((p) => {
      if (desired < p.level) return true;
      const r = this.reactions[p.i]!;
      r.seconds = (t - r.t) / 1000;
      r.reached = true;
      return false;
    });
  }

  /** An HPA rescale from → to at `t` (virtual epoch ms); unchanged counts are no rescale. */
  rescale(t: number, from: number, to: number): void {
    if (to === from) return;
    const dir = Math.sign(to - from);
    if (this.lastDir !== 0 && dir !== this.lastDir) this.changes.push(t);
    this.lastDir = dir;
  }

  result(): Measures {
    this.closeRun();
    const reactions = this.reactions.map((r) => ({ ...r }));
    const slowestReaction = reactions.reduce<Reaction | undefined>((w, r) => (!w || r.seconds > w.seconds ? r : w), undefined);
    return {
      samples: this.n,
      observedSeconds: this.observedSeconds,
      sloCoveragePercent: this.n ? (100 * this.covered) / this.n : 0,
      eciPodSeconds: this.eciPodSeconds,
      eciPodHours: this.eciPodSeconds / 3600,
      reactions,
      ...(slowestReaction ? { slowestReaction } : {}),
      directionChanges: this.changes.length,
      maxDirectionChangesPerHour: slidingHourMax(this.changes),
      peakReplicas: this.peak,
      peakReady: this.peakReady,
    };
  }
}

function slidingHourMax(changes: number[]): { max: number; at?: number } {
  let max = 0;
  let at: number | undefined;
  for (let i = 0, j = 0; i < changes.length; i++) {
    while (changes[i]! - changes[j]! > HOUR_MS) j++;
    if (i - j + 1 > max) {
      max = i - j + 1;
      at = changes[i];
    }
  }
  return { max, at };
}

/** Replicas the HPA's target runs: the ElasticWorkload's, or the workload's own when there is none. */
export const targetReplicas = (s: TimelineSample): number => (s.ew.replicas > 0 ? s.ew.replicas : s.hpa.current);

export function measureSample(s: TimelineSample): MeasureSample {
  return { t: s.t, devices: s.devices, needed: s.needed, desired: s.hpa.desired, replicas: targetReplicas(s), ecsReady: s.pods.ecs.ready, eciReady: s.pods.eci.ready, eciBilled: s.pods.eci.ready + s.pods.eci.pending };
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
 * Feeds a timeline to a recorder in time order (rescales at a sample's instant before it), calling
 * `each` after every sample: the report's running cost reads the recorder there.
 */
export function replay(tl: Timeline, rec: MeasureRecorder, each?: (s: TimelineSample, rec: MeasureRecorder) => void): void {
  const rescales = tl.events.filter((e) => e.type === 'hpa.rescale' && e.from !== undefined && e.to !== undefined).sort((a, b) => a.t - b.t);
  let k = 0;
  const rescalesUntil = (t: number) => {
    for (; k < rescales.length && rescales[k]!.t <= t; k++) rec.rescale(rescales[k]!.t, rescales[k]!.from!, rescales[k]!.to!);
  };
  for (const [from, to] of observedRuns(tl)) {
    for (let i = from; i < to; i++) {
      const s = tl.samples[i]!;
      rescalesUntil(s.t);
      rec.sample(measureSample(s), i === from && i > 0);
      each?.(s, rec);
    }
  }
  rescalesUntil(Infinity);
}

/** Every measure of a timeline. */
export function measure(tl: Timeline, settings: MeasureSettings = EXACT_SETTINGS): Measures {
  const rec = new MeasureRecorder(tl.meta.devicesPerReplica, settings);
  replay(tl, rec);
  return rec.result();
}

/** Share of samples (in %) where ready replicas cover the needed replicas. */
export const sloCoverage = (tl: Timeline): number => measure(tl).sloCoveragePercent;

/** ECI pod-hours: ready and pending (billed from instance start) ECI pods integrated over observed time. */
export const eciPodHours = (tl: Timeline): number => measure(tl).eciPodHours;

/**
 * Seconds from each rise of the needed level to the first sample where the desired count reaches
 * it (capped at maxReplicas); a rise never reached counts to the end of its window — never across
 * the skipped time to the next window.
 */
export const reactionTimes = (tl: Timeline, maxReplicas = Infinity, tolerance = 0): Reaction[] => measure(tl, { maxReplicas, tolerance }).reactions;

/** Direction changes of the HPA's decisions within any sliding hour (max over the run). */
export const maxDirectionChangesPerHour = (tl: Timeline): { max: number; at?: number } => measure(tl).maxDirectionChangesPerHour;

/** Direction changes of the HPA's decisions over the whole run. */
export const directionChanges = (tl: Timeline): number => measure(tl).directionChanges;

/** What cost is computed from besides the measures: the prices, one pod's requests and the ECS pools. */
export interface CostBasis {
  prices: Prices;
  pod: { vcpu: number; memoryGiB: number };
  ecsPools: EcsPoolShape[];
}

export interface TierCost {
  /** "ECS" (the cheapest tier, subscription nodes) or "ECI" (overflow on the virtual node). */
  tier: 'ECS' | 'ECI';
  amount: number;
  /** How it was priced, for the record: instance types and counts, or the pod's requests. */
  basis: string;
}

export interface Cost {
  currency: string;
  region: string;
  /** The observed seconds the figures cover (their period). */
  periodSeconds: number;
  ecs: number;
  eci: number;
  total: number;
  tiers: TierCost[];
  /** The same money per tier of the placement (cheapest first, in its kind's words), when measured from a timeline. */
  perTier?: PlacementTierCost[];
  /** True when an ECS pool had no price of yours and the built-in estimate was used. */
  ecsEstimated: boolean;
}

/** One placement tier's share of a run's cost. */
export interface PlacementTierCost {
  tier: number;
  /** The tier in its kind's words (`source`, `ECI subset`, …). */
  name: string;
  node: 'ecs' | 'eci';
  amount: number;
}

/** ECS nodes cost per second, whatever runs on them (subscription), and whether any was estimated. */
export function ecsRate(b: CostBasis): { perSecond: number; estimated: boolean; basis: string } {
  const parts = b.ecsPools.map((p) => ({ p, price: ecsNodePricePerSecond(b.prices, p) }));
  return {
    perSecond: parts.reduce((a, x) => a + x.p.count * x.price.perSecond, 0),
    estimated: parts.some((x) => x.p.count > 0 && x.price.estimated),
    basis: parts.map((x) => `${x.p.count} × ${x.price.instanceType}${x.price.estimated ? ' (estimated)' : ''}`).join(', ') || 'no ECS pool',
  };
}

/** The cost of a run from its observed time and ECI pod-seconds. */
export function costOf(m: Pick<Measures, 'observedSeconds' | 'eciPodSeconds'>, b: CostBasis): Cost {
  const ecsR = ecsRate(b);
  const ecs = ecsR.perSecond * m.observedSeconds;
  const eci = m.eciPodSeconds * eciPodPricePerSecond(b.prices, b.pod);
  const eciBasis = `${Number((m.eciPodSeconds / 3600).toFixed(2))} pod-hours × (${b.pod.vcpu} vCPU, ${Number(b.pod.memoryGiB.toFixed(3))} GiB)${b.prices.eci.billing === 'preemptible' ? ' preemptible' : ''}`;
  return {
    currency: b.prices.currency,
    region: b.prices.region,
    periodSeconds: m.observedSeconds,
    ecs,
    eci,
    total: ecs + eci,
    tiers: [
      { tier: 'ECS', amount: ecs, basis: ecsR.basis },
      { tier: 'ECI', amount: eci, basis: eciBasis },
    ],
    ecsEstimated: ecsR.estimated,
  };
}

/** "5.70 CNY/day (ECS 4.00 + ECI 1.70)", with "ECS price estimated" when it was. */
export function describeCost(c: Cost): string {
  const money = (v: number) => formatMoney(v, c.currency, c.periodSeconds);
  return `${money(c.total)} (ECS ${c.ecs.toFixed(2)} + ECI ${c.eci.toFixed(2)})${c.ecsEstimated ? ', ECS price estimated' : ''}`;
}

/** The running totals after every sample: observed seconds and billed ECI pod-seconds (the report's charts). */
export function runningTotals(tl: Timeline): { t: number; observedSeconds: number; eciPodSeconds: number }[] {
  const out: { t: number; observedSeconds: number; eciPodSeconds: number }[] = [];
  replay(tl, new MeasureRecorder(tl.meta.devicesPerReplica), (s, rec) => out.push({ t: s.t, observedSeconds: rec.observedSeconds, eciPodSeconds: rec.eciPodSeconds }));
  return out;
}

/** Running cost per tier after every sample (the report's cost chart), in money. */
export function costSeries(tl: Timeline, b: CostBasis): { t: number; ecs: number; eci: number }[] {
  const ecsPerSecond = ecsRate(b).perSecond;
  const eciPerPodSecond = eciPodPricePerSecond(b.prices, b.pod);
  return runningTotals(tl).map((x) => ({ t: x.t, ecs: x.observedSeconds * ecsPerSecond, eci: x.eciPodSeconds * eciPerPodSecond }));
}

/** Replicas per tier at a sample: the cheapest tier's `ew.source`, each overflow Deployment's `ew.units` entry in its tier. */
export function tierReplicas(s: TimelineSample, tiers: Tiers): number[] {
  const out = new Array<number>(tiers.count).fill(0);
  const at = (owner: string) => Math.min(tiers.count - 1, Math.max(0, tiers.tierOf(owner)));
  out[at(CHEAPEST_OWNER)]! += s.ew.source;
  for (const [deployment, n] of Object.entries(s.ew.units)) out[at(deployment)]! += n;
  return out;
}

/**
 * Each observed interval of a run (never across the skipped time between windows) with the sample
 * that opened it: a sample's counts hold until the next, as `eciPodSeconds` counts them.
 */
function eachInterval(tl: Timeline, f: (prev: TimelineSample, seconds: number) => void): void {
  for (const [from, to] of observedRuns(tl)) {
    for (let i = from + 1; i < to; i++) f(tl.samples[i - 1]!, (tl.samples[i]!.t - tl.samples[i - 1]!.t) / 1000);
  }
}

export interface TierFigures {
  tier: number;
  name: string;
  node: 'ecs' | 'eci';
  /** The most replicas the placement gave the tier at one sample. */
  peakReplicas: number;
  /** Its replicas integrated over observed time. */
  podSeconds: number;
  podHours: number;
}

/** Peak replicas and replica-hours per tier of the placement (cheapest first). */
export function tierFigures(tl: Timeline, tiers: Tiers = timelineTiers()): TierFigures[] {
  const peak = new Array<number>(tiers.count).fill(0);
  const seconds = new Array<number>(tiers.count).fill(0);
  for (const s of tl.samples) tierReplicas(s, tiers).forEach((n, i) => (peak[i] = Math.max(peak[i]!, n)));
  eachInterval(tl, (prev, dt) => tierReplicas(prev, tiers).forEach((n, i) => (seconds[i]! += n * dt)));
  return peak.map((p, i) => ({ tier: i, name: tierName(tiers, i), node: tiers.nodeOf(i), peakReplicas: p, podSeconds: seconds[i]!, podHours: seconds[i]! / 3600 }));
}

/** `amount` over the tiers of `node` by their replicas; none there: the weights they had last, else the first such tier. */
function spread(amount: number, node: 'ecs' | 'eci', replicas: number[], tiers: Tiers, last: Map<string, number[]>, into: number[]): void {
  const on = replicas.map((n, i) => (tiers.nodeOf(i) === node ? n : 0));
  const first = Math.max(0, replicas.findIndex((_, i) => tiers.nodeOf(i) === node));
  let w = on;
  if (on.some((n) => n > 0)) last.set(node, on);
  else w = last.get(node) ?? on.map((_, i) => (i === first ? 1 : 0));
  const sum = w.reduce((a, b) => a + b, 0);
  w.forEach((x, i) => (into[i]! += (amount * x) / sum));
}

/**
 * The run's cost per placement tier, summing to `costOf`'s total. ECS nodes are paid whatever runs
 * on them: each interval's ECS money goes to the tiers on ECS by their replicas (an idle pool to the
 * cheapest). ECI bills pods: each interval's billed ECI pod-seconds go to the tiers on the virtual
 * node by their replicas; pods still draining from a tier whose replicas are already 0 stay billed to
 * the tiers that last had replicas there.
 */
export function tierCosts(tl: Timeline, b: CostBasis, tiers: Tiers = timelineTiers()): PlacementTierCost[] {
  const ecsPerSecond = ecsRate(b).perSecond;
  const eciPerPodSecond = eciPodPricePerSecond(b.prices, b.pod);
  const amounts = new Array<number>(tiers.count).fill(0);
  const last = new Map<string, number[]>();
  eachInterval(tl, (prev, dt) => {
    const replicas = tierReplicas(prev, tiers);
    spread(ecsPerSecond * dt, 'ecs', replicas, tiers, last, amounts);
    spread(measureSample(prev).eciBilled * dt * eciPerPodSecond, 'eci', replicas, tiers, last, amounts);
  });
  return amounts.map((amount, i) => ({ tier: i, name: tierName(tiers, i), node: tiers.nodeOf(i), amount }));
}

/** What a run's figures are measured with: the reaction settings and, where known, the cost basis. */
export interface RunBasis {
  settings: MeasureSettings;
  cost?: CostBasis;
  /** The placement's tiers in its kind's words (the checks' messages, cost per tier); absent: `timelineTiers()`. */
  tiers?: Tiers;
  /** The HPA's maxReplicas, the cap of a reactionTime expectation that names none. */
  hpaMaxReplicas?: number;
}

/** A run's measures and, with a cost basis, its cost: the figures every report prints. */
export function runMeasures(tl: Timeline, basis: RunBasis = { settings: EXACT_SETTINGS }): { measures: Measures; cost?: Cost } {
  const measures = measure(tl, basis.settings);
  return { measures, ...(basis.cost ? { cost: { ...costOf(measures, basis.cost), perTier: tierCosts(tl, basis.cost, basis.tiers) } } : {}) };
}
