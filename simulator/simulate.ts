import type { Scenario } from '../scenarios/index.ts';
import { drawEciLatency, seededRandom as rng } from '../cluster/nodes/latency.ts';
import type { Timeline, TimelineEvent, TimelineSample } from '../core/timeline/format.ts';
import { KUBERNETES_VERSION } from '../cluster/toolchain/versions.ts';
import { MeasureRecorder, costOf, measureSettings, type MeasureSettings } from '../core/checks/measures.ts';
import { formatMoney } from '../core/prices.ts';
import type { AdaptiveSplit, PlacementKind } from '../kinds/model/placement.ts';
import type { ScalerSimulation, SimulationNote } from '../kinds/model/scaler.ts';
import { placementKind, scalerKind, scheduleKind } from '../kinds/registry.ts';
import { ecsPodCapacity } from '../kinds/system.ts';
import { costBasis, type SystemConfig } from './system.ts';

/**
 * The discrete-time model: every sync period the scaler (its kind's simulation: the HPA's port of
 * upstream's controller) reads the metric as the pipeline would serve it then (exporter query →
 * scrape → adapter, each sampled at its own interval and seeded phase), the placement splits the
 * replicas into tiers (its kind's split: the ElasticWorkload controller's own), pods of the cheapest
 * tier start on ECS (finite capacity, 1–3 s) and those of the first overflow tier on the ECI node
 * (start + image pull + jitter, seeded failures), and scale-in removes overflow pods first.
 * Deterministic for a seed.
 */

export interface Segment {
  /** Virtual epoch ms. */
  start: number;
  end: number;
}

/**
 * A run's figures, each as `core/checks/measures.ts` defines it (the same as `measure(timeline)` of
 * the run's timeline); costs in the system's currency over `seconds` of observed time.
 */
export interface SimSummary {
  sloCoveragePercent: number;
  eciPodHours: number;
  ecsNodes: number;
  costEcs: number;
  costEci: number;
  costTotal: number;
  peakReplicas: number;
  /** Share of samples (%) at minReplicas while fewer replicas were needed: the floor, not the load, set the cost. */
  atMinReplicasPercent: number;
  /** Share of samples (%) at maxReplicas while more were needed: the ceiling, not the target, capped coverage. */
  atMaxReplicasPercent: number;
  directionChanges: number;
  /** The slowest reaction (seconds) to a rise of the needed level; NaN when none rose. */
  slowestReactionSeconds: number;
  /** Observed virtual seconds (the windows, gaps excluded): the period of the costs. */
  seconds: number;
}

interface Pod {
  name: string;
  readyAt: number;
  failed: boolean;
  created: number;
}

/**
 * The pods of one Deployment. With event stepping the Ready count is recounted only when a pod is
 * added, removed or replaced, or when the earliest pending readyAt passes: in between nothing about
 * it can change.
 */
class PodSet {
  readonly pods: Pod[] = [];
  failed = 0;
  private count = 0;
  private countedAt = Infinity;
  private validUntil = -Infinity;
  constructor(private readonly incremental: boolean) {}
  get length(): number {
    return this.pods.length;
  }
  push(p: Pod): void {
    this.pods.push(p);
    if (p.failed) this.failed++;
    this.validUntil = -Infinity;
  }
  pop(): Pod {
    const p = this.pods.pop()!;
    if (p.failed) this.failed--;
    this.validUntil = -Infinity;
    return p;
  }
  replace(i: number, p: Pod): void {
    if (this.pods[i]!.failed) this.failed--;
    if (p.failed) this.failed++;
    this.pods[i] = p;
    this.validUntil = -Infinity;
  }
  ready(t: number): number {
    if (this.incremental && t >= this.countedAt && t < this.validUntil) return this.count;
    let n = 0;
    let next = Infinity;
    for (const p of this.pods) {
      if (p.readyAt <= t) n++;
      else if (p.readyAt < next) next = p.readyAt;
    }
    this.count = n;
    this.countedAt = t;
    this.validUntil = next;
    return n;
  }
}

/**
 * 'precomputed' (default): event stepping, plus the curve and the served metric read from per-step
 * arrays computed once per curve, segment and pipeline timing and shared by every run that has them
 * (a sweep's configurations), and the HPA's stabilization max kept in a monotonic deque.
 * 'event': skip the work of spans where nothing can change (Ready counts between pod changes and
 * readiness times, the metric between exporter queries, failed-pod scans without failed pods).
 * 'fixed': recompute everything at every step (the reference). All three give identical results.
 */
export type Stepping = 'precomputed' | 'event' | 'fixed';

export interface SimulateOptions {
  /** Build the full timeline (samples and events); sweeps only need the summary. */
  timeline?: boolean;
  stepping?: Stepping;
  /** How reaction time is measured (default: the HPA's maxReplicas as cap, tolerance 0; `simulate` takes the scenario's). */
  settings?: MeasureSettings;
  /** The scenario's IANA zone, recorded in the timeline's meta for the reports' clocks. */
  timeZone?: string;
}

/** One segment's curve at every step, and the metric the pipeline serves then. */
interface Series {
  devices: Float64Array;
  metric: Float64Array;
}

// Keyed by the curve function, then by everything else the arrays depend on; bounded, since a sweep
// over sync periods or seeds makes a few keys per curve, not thousands.
const seriesCache = new WeakMap<(tMs: number) => number, Map<string, Series>>();
const SERIES_PER_CURVE = 64;

export function segmentsFor(s: Pick<Scenario, 'windows' | 'dayStartMs'>, opts: { days?: number } = {}): Segment[] {
  if (opts.days !== undefined) return Array.from({ length: 1 }, () => ({ start: s.dayStartMs, end: s.dayStartMs + opts.days! * 86_400_000 }));
  return s.windows.map((w) => ({ start: s.dayStartMs + w.start * 1000, end: s.dayStartMs + w.end * 1000 }));
}

/**
 * One run's state. The steps are methods so each stays short and the hot loop keeps plain field
 * reads (a class with fixed fields keeps one hidden class, as fast as the closure it replaced).
 */
class Model {
  readonly wantTimeline: boolean;
  readonly timeZone: string | undefined;
  readonly incremental: boolean;
  readonly precomputed: boolean;
  /** The current segment's series (precomputed stepping) and the step index into it. */
  series: Series | undefined;
  step = 0;
  /**
   * The step's virtual time (epoch ms). The steps read it from here rather than taking it as an
   * argument: a double passed to a call V8 does not inline is boxed, an allocation per step.
   */
  now = 0.5;
  readonly random: () => number;
  readonly sync: number;
  readonly Ie: number;
  readonly Is: number;
  /** The reader's query time resolution (virtual s; 0: it asks for now) and the phase of its grid. */
  readonly Iq: number;
  readonly phaseE: number;
  readonly phaseS: number;
  readonly phaseQ: number;
  readonly ecsCapacity: number;
  readonly ecsNodes: number;
  /** The cheapest tier's Deployment and the first overflow tier's (further tiers are not modelled). */
  readonly sourceDep: string;
  readonly unitDep: string | undefined;
  readonly samples: TimelineSample[] = [];
  readonly events: TimelineEvent[] = [];
  readonly scaler: ScalerSimulation;
  /** What a schedule over the scaler did (a CronHPA's firings), drained into the events. */
  readonly notes: SimulationNote[] | undefined;
  readonly placement: PlacementKind;
  /** The placement's rescheduling (a UnitedDeployment's Adaptive strategy), else undefined: the split is stateless. */
  readonly adaptive: AdaptiveSplit | undefined;
  /** Until when (ms) the ECS tier is held at its ready pods after its pods stayed Pending too long. */
  ecsUnschedulableUntil = -Infinity;
  /** The last split asked of the placement and its total: samples ask again and again for the same one. */
  splitTotal = -1;
  split: number[] = [];
  readonly source: PodSet;
  readonly units: PodSet;
  eciFailures = 0;
  podSeq = 0;
  replicas = 0;
  lastDesired = 0;
  /** Every figure of the run, measured as the timeline's reader measures it. */
  readonly measures: MeasureRecorder;
  /** The next sample starts a window after skipped time. */
  newRun = false;
  // Where the HPA's bounds held the replicas against the need (whatif's at_min/at_max columns).
  sampled = 0;
  atMin = 0;
  atMax = 0;
  lastQuery = NaN;
  lastMetric = 0;

  constructor(readonly sys: SystemConfig, readonly curveAt: (tMs: number) => number, opts: SimulateOptions) {
    this.wantTimeline = opts.timeline ?? true;
    this.timeZone = opts.timeZone;
    const stepping = opts.stepping ?? 'precomputed';
    this.incremental = stepping !== 'fixed';
    this.precomputed = stepping === 'precomputed';
    // A schedule edits the HPA's bounds during the run: on this run's copy, never the shared system's.
    const hpa = sys.schedule ? { ...sys.hpa } : sys.hpa;
    const scaler = scalerKind(sys.scaler).simulation(hpa, sys.flags, { precomputed: this.precomputed });
    const scheduled = sys.schedule ? scheduleKind(sys.schedule.kind).simulation(sys.schedule.spec, scaler, hpa) : undefined;
    this.scaler = scheduled ?? scaler;
    this.notes = scheduled?.notes;
    this.placement = placementKind(sys.placement.kind);
    this.adaptive = this.placement.adaptive?.(sys.placement);
    this.random = rng(sys.seed);
    this.sync = sys.flags.syncPeriodSeconds;
    this.Ie = sys.pipeline.exporterIntervalSeconds;
    this.Is = sys.pipeline.scrapeIntervalSeconds;
    // Drawn first and in this order: the seeded stream must stay the same for a seed.
    this.phaseE = this.random() * this.Ie;
    this.phaseS = this.random() * this.Is;
    // Drawn only for a reader with a resolution (KEDA's prometheus trigger): every other run's
    // stream stays as it was. The wall second's edge falls anywhere in virtual time.
    this.Iq = sys.queryResolutionSeconds ?? 0;
    this.phaseQ = this.Iq > 0 ? this.random() * this.Iq : 0;
    this.ecsCapacity = ecsPodCapacity(sys.nodes, sys.pod);
    this.ecsNodes = sys.nodes.ecs.reduce((a, p) => a + p.count, 0);
    this.sourceDep = sys.placement.tiers[0]!.deployment;
    this.unitDep = sys.placement.tiers[1]?.deployment;
    this.source = new PodSet(this.incremental);
    this.units = new PodSet(this.incremental);
    this.measures = new MeasureRecorder(sys.devicesPerReplica, opts.settings ?? { maxReplicas: sys.hpa.maxReplicas, tolerance: 0 });
  }

  ev(e: Omit<TimelineEvent, 'kind'>): void {
    if (this.wantTimeline) this.events.push({ kind: 'event', ...e } as TimelineEvent);
  }

  metricAt(tMs: number): number {
    const query = this.queryAt(tMs);
    // The served value only changes when the exporter queries again.
    if (this.incremental && query === this.lastQuery) return this.lastMetric;
    this.lastQuery = query;
    this.lastMetric = Math.round(this.curveAt(query * 1000));
    return this.lastMetric;
  }

  /**
   * When (s) the exporter ran the query whose result the adapter serves at `tMs`: the exporter's
   * last query before Prometheus' last scrape before the time the reader asks at (now, or its last
   * whole resolution step: KEDA's prometheus trigger).
   */
  queryAt(tMs: number): number {
    const now = tMs / 1000;
    const t = this.Iq > 0 ? Math.floor((now - this.phaseQ) / this.Iq) * this.Iq + this.phaseQ : now;
    const scrape = Math.floor((t - this.phaseS) / this.Is) * this.Is + this.phaseS;
    return Math.floor((scrape - this.phaseE) / this.Ie) * this.Ie + this.phaseE;
  }

  /** The segment's curve and served metric at every step of `runSegment`'s loop, shared across runs. */
  seriesFor(seg: Segment, stepMs: number): Series {
    let byKey = seriesCache.get(this.curveAt);
    if (!byKey) seriesCache.set(this.curveAt, (byKey = new Map()));
    const key = `${seg.start}|${seg.end}|${stepMs}|${this.phaseE}|${this.phaseS}|${this.Ie}|${this.Is}|${this.Iq}|${this.phaseQ}`;
    const hit = byKey.get(key);
    if (hit) return hit;
    let n = 0;
    for (let t = seg.start; t <= seg.end; t += stepMs) n++;
    const series: Series = { devices: new Float64Array(n), metric: new Float64Array(n) };
    let i = 0;
    for (let t = seg.start; t <= seg.end; t += stepMs, i++) {
      series.devices[i] = this.curveAt(t);
      series.metric[i] = Math.round(this.curveAt(this.queryAt(t) * 1000));
    }
    if (byKey.size >= SERIES_PER_CURVE) byKey.clear();
    byKey.set(key, series);
    return series;
  }

  newPod(onEci: boolean, t: number): Pod {
    const name = `${onEci ? this.unitDep : this.sourceDep}-sim-${++this.podSeq}`;
    if (!onEci) {
      const pool = this.sys.nodes.ecs[0];
      const scheduled = this.source.length < this.ecsCapacity;
      if (!scheduled) return { name, readyAt: Infinity, failed: false, created: t };
      const latency = pool ? pool.startLatency.min + this.random() * (pool.startLatency.max - pool.startLatency.min) : 1;
      return { name, readyAt: t + latency * 1000, failed: false, created: t };
    }
    const eci = this.sys.nodes.eci;
    const f = eci.failures;
    const fails = f.probability > 0 && this.random() < f.probability && (f.maxFailures === undefined || this.eciFailures < f.maxFailures);
    if (fails) this.eciFailures++;
    return { name, readyAt: fails ? Infinity : t + drawEciLatency(eci.startLatency, this.random) * 1000, failed: fails && f.mode === 'failed', created: t };
  }

  resize(pods: PodSet, want: number, onEci: boolean, t: number, owner: string): void {
    const nodeType = onEci ? 'eci' : 'ecs';
    while (pods.length > want) {
      // The ReplicaSet removes not-ready and newer pods first.
      const p = pods.pop();
      this.ev({ t, type: 'pod.deleted', object: p.name, owner, nodeType });
    }
    while (pods.length < want) {
      const p = this.newPod(onEci, t);
      pods.push(p);
      this.ev({ t, type: 'pod.created', object: p.name, owner, nodeType });
      if (this.wantTimeline && Number.isFinite(p.readyAt)) this.ev({ t: Math.round(p.readyAt), type: 'pod.ready', object: p.name, owner, nodeType });
      if (p.failed) this.ev({ t, type: 'pod.failed', object: p.name, owner, nodeType: 'eci', reason: this.sys.nodes.eci.failures.reason });
    }
  }

  /** Replicas per tier for `total` (cheapest first), asked of the placement kind once per total. */
  tiers(total: number): number[] {
    if (total !== this.splitTotal) {
      this.split = this.placement.split(this.sys.placement, total);
      this.splitTotal = total;
    }
    return this.split;
  }

  /**
   * The Adaptive strategy's view at `t` (the controller's `calculateSubsetsStatusForDefaultAdaptiveStrategy`):
   * an ECS pod Pending for `rescheduleCriticalSeconds` marks the ECS tier unschedulable for
   * `unschedulableDuration` from then; the split holds it at its ready pods and the rest overflows.
   */
  adaptiveSplit(a: AdaptiveSplit, total: number, t: number): number[] {
    const critical = a.rescheduleCriticalSeconds * 1000;
    if (t >= this.ecsUnschedulableUntil && this.source.pods.some((p) => p.readyAt > t && t - p.created >= critical)) {
      this.ecsUnschedulableUntil = t + a.unschedulableDuration * 1000;
      this.ev({ t, type: 'ew.split', message: `ECS tier unschedulable: a pod Pending for ${a.rescheduleCriticalSeconds} s; held at its ready pods for ${a.unschedulableDuration} s` });
    }
    return a.split(total, [{ ready: this.source.ready(t), unschedulable: t < this.ecsUnschedulableUntil }, { ready: this.units.ready(t), unschedulable: false }]);
  }

  /** Adaptive: re-split the current total when what the tiers are doing changes the controller's answer. */
  reschedule(a: AdaptiveSplit, t: number): void {
    const split = this.adaptiveSplit(a, this.replicas, t);
    if (split[0] === this.source.length && (split[1] ?? 0) === this.units.length) return;
    this.place(split, this.replicas, t);
  }

  applySplit(total: number, t: number): void {
    if (this.adaptive) {
      this.place(this.adaptiveSplit(this.adaptive, total, t), total, t);
      return;
    }
    this.place(this.tiers(total), total, t);
  }

  /** Pods to the split; it becomes what samples report for this total. */
  place(split: number[], total: number, t: number): void {
    this.split = split;
    this.splitTotal = total;
    const source = split[0] ?? 0;
    const unitWant = split[1] ?? 0;
    // Scale-in order: overflow pods leave first, the cheapest tier last (the controller's staging, instantaneous here).
    this.resize(this.units, unitWant, true, t, this.unitDep ?? 'unit');
    this.resize(this.source, source, false, t, 'source');
    if (this.wantTimeline) this.ev({ t, type: 'ew.split', message: `source ${source}, ${this.unitDep} ${unitWant}`, to: total });
  }

  /** Warm-up like the replay: start from the state the HPA settles in at the segment's first value. */
  warmUp(seg: Segment): void {
    const cur = this.scaler.settle(seg.start / 1000 - 1e6, this.metricAt(seg.start));
    this.replicas = cur;
    this.lastDesired = cur;
    const split = this.tiers(cur);
    const source = split[0] ?? 0;
    const units = split[1] ?? 0;
    const settled = (name: string): Pod => ({ name: `${name}-sim-${++this.podSeq}`, readyAt: seg.start - 1, failed: false, created: seg.start - 1 });
    for (let i = 0; i < source; i++) this.source.push(settled(this.sourceDep));
    for (let i = 0; i < units; i++) this.units.push(settled(`${this.unitDep}`));
  }

  /** One scaler sync at `now`: read the metric as served, decide, split a rescale, replace failed ECI pods. */
  syncAt(): void {
    const t = this.now;
    const readyPods = this.source.ready(t) + this.units.ready(t);
    const metric = this.series ? this.series.metric[this.step]! : this.metricAt(t);
    const desired = this.scaler.decide(t / 1000, this.replicas, readyPods, metric);
    if (this.notes?.length) this.drainNotes();
    if (this.scaler.rescale) {
      const replicas = this.replicas;
      this.ev({ t, type: 'hpa.rescale', from: replicas, to: desired, reason: 'SuccessfulRescale', message: `New size: ${desired}; reason: ${this.scaler.rescaleReason ?? `${desired > replicas ? 'above' : 'below'} target`}` });
      this.measures.rescale(t, replicas, desired);
      this.lastDesired = desired;
      this.replicas = desired;
      this.applySplit(desired, t);
    }
    if (this.adaptive) this.reschedule(this.adaptive, t);
    // Failed ECI pods are replaced by their ReplicaSet.
    const units = this.units;
    for (let i = 0; (units.failed > 0 || !this.incremental) && i < units.length; i++) {
      if (units.pods[i]!.failed) {
        const p = this.newPod(true, t);
        units.replace(i, p);
        this.ev({ t, type: 'pod.created', object: p.name, owner: this.unitDep, nodeType: 'eci' });
      }
    }
  }

  drainNotes(): void {
    for (const n of this.notes!.splice(0)) this.ev({ t: n.t, type: 'note', object: n.object, reason: n.reason, message: n.message });
  }

  /**
   * A sync that changes nothing but the HPA's history (precomputed stepping): no rescale, no failed
   * pod to replace, so no event and no pod to touch. False = not taken, run `syncAt`.
   */
  quietSync(): boolean {
    const scaler = this.scaler;
    // Adaptive: a sync may move replicas between tiers without a rescale.
    if (!this.series || this.units.failed > 0 || this.adaptive) return false;
    const t = this.now;
    const ready = scaler.quietNeedsReady ? this.source.ready(t) + this.units.ready(t) : 0;
    return scaler.quiet(t / 1000, this.replicas, this.series.metric[this.step]!, ready);
  }

  sampleAt(): void {
    const t = this.now;
    const sys = this.sys;
    const devices = this.series ? this.series.devices[this.step]! : this.curveAt(t);
    const needed = Math.ceil(devices / sys.devicesPerReplica);
    const srcReady = this.source.ready(t);
    const unitReady = this.units.ready(t);
    const unitFailed = this.units.failed;
    // Billed ECI pods: ready and pending, not failed (as the timeline records them).
    this.measures.values(t, devices, needed, this.lastDesired, this.replicas, srcReady, unitReady, this.units.length - unitFailed, this.newRun);
    this.newRun = false;
    this.sampled++;
    if (this.replicas >= sys.hpa.maxReplicas && needed > this.replicas) this.atMax++;
    else if (this.replicas <= sys.hpa.minReplicas && needed < this.replicas) this.atMin++;
    if (!this.wantTimeline) return;
    const split = this.tiers(this.replicas);
    const source = split[0] ?? 0;
    const units = split[1] ?? 0;
    const unitDep = this.unitDep;
    this.samples.push({
      kind: 'sample',
      t,
      devices,
      metric: this.series ? this.series.metric[this.step]! : this.metricAt(t),
      needed,
      hpa: { desired: this.lastDesired, current: this.replicas },
      ew: { replicas: this.replicas, source, units: unitDep ? { [unitDep]: units } : {} },
      pods: { ecs: { ready: srcReady, pending: this.source.length - srcReady, failed: 0 }, eci: { ready: unitReady, pending: this.units.length - unitReady - unitFailed, failed: unitFailed } },
    });
  }

  runSegment(seg: Segment, after?: Segment): void {
    if (this.replicas === 0) this.warmUp(seg);
    // As the timeline's reader splits runs: only a window that starts after a gap is skipped time.
    this.newRun = after !== undefined && seg.start > after.end;
    const sync = this.sync;
    const every = this.sys.sampleEverySeconds;
    const stepMs = Math.min(sync, every) * 1000;
    let nextSync = seg.start;
    let nextSample = seg.start;
    this.series = this.precomputed ? this.seriesFor(seg, stepMs) : undefined;
    this.step = 0;
    for (let t = seg.start; t <= seg.end; t += stepMs, this.step++) {
      if (t >= nextSync) {
        nextSync += sync * 1000;
        this.now = t;
        if (!this.quietSync()) this.syncAt();
      }
      if (t >= nextSample) {
        nextSample += every * 1000;
        this.now = t;
        this.sampleAt();
      }
    }
  }

  summary(): SimSummary {
    const m = this.measures.result();
    const cost = costOf(m, costBasis(this.sys));
    return {
      sloCoveragePercent: m.sloCoveragePercent,
      eciPodHours: m.eciPodHours,
      ecsNodes: this.ecsNodes,
      costEcs: cost.ecs,
      costEci: cost.eci,
      costTotal: cost.total,
      peakReplicas: m.peakReplicas,
      directionChanges: m.directionChanges,
      slowestReactionSeconds: m.slowestReaction?.seconds ?? NaN,
      seconds: m.observedSeconds,
      atMinReplicasPercent: this.sampled ? (100 * this.atMin) / this.sampled : 0,
      atMaxReplicasPercent: this.sampled ? (100 * this.atMax) / this.sampled : 0,
    };
  }

  timeline(segments: Segment[], name: string, summary: SimSummary): Timeline {
    const sys = this.sys;
    this.events.sort((a, b) => a.t - b.t);
    return {
      meta: {
        kind: 'meta',
        version: 1,
        source: 'simulator',
        scenario: name,
        start: segments[0]!.start,
        end: segments.at(-1)!.end,
        windows: segments.map((g) => ({ start: g.start, end: g.end })),
        ...(this.timeZone ? { timeZone: this.timeZone } : {}),
        compression: 1,
        constants: {
          slsWindowSeconds: sys.pipeline.slsWindowSeconds,
          exporterIntervalSeconds: this.Ie,
          scrapeIntervalSeconds: this.Is,
          adapterRelistSeconds: sys.pipeline.adapterRelistSeconds,
          hpaSyncPeriodSeconds: this.sync,
          downscaleStabilizationSeconds: sys.flags.downscaleStabilizationSeconds,
        },
        devicesPerReplica: sys.devicesPerReplica,
        sourceMax: sys.placement.tiers[0]!.max ?? 0,
        seed: sys.seed,
        notes: [
          `simulated ${segments.length} segment(s) with the HPA of Kubernetes ${sys.flags.kubernetesVersion ?? KUBERNETES_VERSION}; cost ${formatMoney(summary.costTotal, sys.cost.currency, summary.seconds)} (ECS ${summary.costEcs.toFixed(2)}, ECI ${summary.costEci.toFixed(2)})`,
          ...(sys.schedule ? [scheduleKind(sys.schedule.kind).describe(sys.schedule.spec)] : []),
          ...(this.Iq > 0 ? [`the scaler asks Prometheus for its value at whole ${this.Iq} s of its clock (KEDA's prometheus trigger)`] : []),
        ],
      },
      samples: this.samples,
      events: this.events,
    };
  }
}

export function runModel(sys: SystemConfig, curveAt: (tMs: number) => number, segments: Segment[], name: string, opts: SimulateOptions = {}): { timeline?: Timeline; summary: SimSummary } {
  const m = new Model(sys, curveAt, opts);
  segments.forEach((seg, i) => m.runSegment(seg, segments[i - 1]));
  const summary = m.summary();
  if (!m.wantTimeline) return { summary };
  return { timeline: m.timeline(segments, name, summary), summary };
}

// One curve function per curve and day start, so runs of the same scenario share their series.
const curveFns = new WeakMap<Scenario['curve'], Map<number, (tMs: number) => number>>();

function dayCurve(s: Scenario): (tMs: number) => number {
  let byStart = curveFns.get(s.curve);
  if (!byStart) curveFns.set(s.curve, (byStart = new Map()));
  let fn = byStart.get(s.dayStartMs);
  if (!fn) {
    const { curve, dayStartMs } = s;
    const day = 86_400;
    // Inside the day the same float without two fmod calls: x % day is x, and (x + day) % day is
    // (x + day) − day, exact by Sterbenz's lemma.
    fn = (tMs: number) => {
      const x = (tMs - dayStartMs) / 1000;
      return curve.at(x >= 0 && x < day ? x + day - day : ((x % day) + day) % day);
    };
    byStart.set(dayStartMs, fn);
  }
  return fn;
}

export function simulate(s: Scenario, sys: SystemConfig, opts: { days?: number } & SimulateOptions = {}): { timeline?: Timeline; summary: SimSummary } {
  const day = 86_400;
  const fixedCurveAt = (tMs: number) => s.curve.at((((tMs - s.dayStartMs) / 1000) % day + day) % day);
  const curveAt = opts.stepping === 'fixed' ? fixedCurveAt : dayCurve(s);
  const settings = opts.settings ?? measureSettings(s.expectations, sys.hpa.maxReplicas);
  return runModel(sys, curveAt, segmentsFor(s, opts), s.name, { settings, ...(opts.timeline !== undefined ? { timeline: opts.timeline } : {}), ...(opts.stepping ? { stepping: opts.stepping } : {}), timeZone: s.timezone });
}
