import { computeSplit, unitDeploymentName } from '../cluster/elasticworkload/split.ts';
import type { Scenario } from '../scenarios/index.ts';
import { drawEciLatency, seededRandom as rng } from '../cluster/nodes/latency.ts';
import type { Timeline, TimelineEvent, TimelineSample } from '../harness/timeline/format.ts';
import { KUBERNETES_VERSION } from '../cluster/toolchain/versions.ts';
import { ecsCost, eciCost } from './cost.ts';
import { newHpaState, reconcile, type HpaInput, type HpaState } from './hpa.ts';
import type { SystemConfig } from './system.ts';
import { ecsPodCapacity } from '../harness/replay/resolve.ts';

/**
 * The discrete-time model: every HPA sync period the HPA (hpa.ts) reads the metric as the pipeline
 * would serve it then (exporter query → scrape → adapter, each sampled at its own interval and seeded
 * phase), the ElasticWorkload splits the replicas (the controller's own split), pods start on ECS
 * (finite capacity, 1–3 s) or on the ECI node (start + image pull + jitter, seeded failures), and
 * scale-in removes unit pods first. Deterministic for a seed.
 */

export interface Segment {
  /** Virtual epoch ms. */
  start: number;
  end: number;
}

export interface SimSummary {
  sloCoveragePercent: number;
  eciPodHours: number;
  ecsNodes: number;
  costEcs: number;
  costEci: number;
  costTotal: number;
  peakReplicas: number;
  directionChanges: number;
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

export interface SimulateOptions {
  /** Build the full timeline (samples and events); sweeps only need the summary. */
  timeline?: boolean;
  /**
   * 'event' (default): skip the work of spans where nothing can change (Ready counts between pod
   * changes and readiness times, the metric between exporter queries, failed-pod scans without failed
   * pods). 'fixed': recompute everything at every step, as before. Both give identical results.
   */
  stepping?: 'event' | 'fixed';
}

export function segmentsFor(s: Pick<Scenario, 'windows' | 'dayStartMs'>, opts: { days?: number } = {}): Segment[] {
  if (opts.days !== undefined) return Array.from({ length: 1 }, () => ({ start: s.dayStartMs, end: s.dayStartMs + opts.days! * 86_400_000 }));
  return s.windows.map((w) => ({ start: s.dayStartMs + w.start * 1000, end: s.dayStartMs + w.end * 1000 }));
}

export function runModel(sys: SystemConfig, curveAt: (tMs: number) => number, segments: Segment[], name: string, opts: SimulateOptions = {}): { timeline?: Timeline; summary: SimSummary } {
  const wantTimeline = opts.timeline ?? true;
  const incremental = (opts.stepping ?? 'event') === 'event';
  const random = rng(sys.seed);
  const sync = sys.flags.syncPeriodSeconds;
  const Ie = sys.pipeline.exporterIntervalSeconds;
  const Is = sys.pipeline.scrapeIntervalSeconds;
  const phaseE = random() * Ie;
  const phaseS = random() * Is;
  const ecsPool = sys.nodes.ecs[0];
  const ecsCapacity = ecsPodCapacity(sys.nodes, sys.pod);
  const ecsNodes = sys.nodes.ecs.reduce((a, p) => a + p.count, 0);
  const eci = sys.nodes.eci;
  const unitName = sys.ew.elasticUnit?.[0]?.name;
  const unitDep = unitName ? unitDeploymentName(sys.ew.sourceTarget.name, unitName) : undefined;
  let eciFailures = 0;
  let podSeq = 0;

  const samples: TimelineSample[] = [];
  const events: TimelineEvent[] = [];
  const ev = (e: Omit<TimelineEvent, 'kind'>) => wantTimeline && events.push({ kind: 'event', ...e } as TimelineEvent);

  const state: HpaState = newHpaState();
  const values: number[] = sys.hpa.metrics.map(() => 0);
  const input: HpaInput = { now: 0, spec: sys.hpa, flags: sys.flags, specReplicas: 0, currentReplicas: 0, readyPods: 0, values };
  const source = new PodSet(incremental);
  const units = new PodSet(incremental);
  let replicas = 0;
  let lastDesired = 0;
  let lastDir = 0;
  let directionChanges = 0;
  let peak = 0;
  let covered = 0;
  let sampled = 0;
  let eciPodSeconds = 0;
  let totalSeconds = 0;

  let lastQuery = NaN;
  let lastMetric = 0;
  const metricAt = (tMs: number): number => {
    const t = tMs / 1000;
    const scrape = Math.floor((t - phaseS) / Is) * Is + phaseS;
    const query = Math.floor((scrape - phaseE) / Ie) * Ie + phaseE;
    // The served value only changes when the exporter queries again.
    if (incremental && query === lastQuery) return lastMetric;
    lastQuery = query;
    lastMetric = Math.round(curveAt(query * 1000));
    return lastMetric;
  };
  const ecsLatency = () => ecsPool ? ecsPool.startLatency.min + random() * (ecsPool.startLatency.max - ecsPool.startLatency.min) : 1;
  const eciLatency = () => drawEciLatency(eci.startLatency, random);
  const newPod = (onEci: boolean, t: number): Pod => {
    const name = `${onEci ? unitDep : sys.ew.sourceTarget.name}-sim-${++podSeq}`;
    if (!onEci) {
      const scheduled = source.length < ecsCapacity;
      return { name, readyAt: scheduled ? t + ecsLatency() * 1000 : Infinity, failed: false, created: t };
    }
    const f = eci.failures;
    const fails = f.probability > 0 && random() < f.probability && (f.maxFailures === undefined || eciFailures < f.maxFailures);
    if (fails) eciFailures++;
    return { name, readyAt: fails ? Infinity : t + eciLatency() * 1000, failed: fails && f.mode === 'failed', created: t };
  };
  const ready = (pods: PodSet, t: number) => pods.ready(t);
  const resize = (pods: PodSet, want: number, onEci: boolean, t: number, owner: string) => {
    while (pods.length > want) {
      // The ReplicaSet removes not-ready and newer pods first.
      const p = pods.pop()!;
      ev({ t, type: 'pod.deleted', object: p.name, owner, nodeType: onEci ? 'eci' : 'ecs' });
    }
    while (pods.length < want) {
      const p = newPod(onEci, t);
      pods.push(p);
      ev({ t, type: 'pod.created', object: p.name, owner, nodeType: onEci ? 'eci' : 'ecs' });
      if (wantTimeline && Number.isFinite(p.readyAt)) ev({ t: Math.round(p.readyAt), type: 'pod.ready', object: p.name, owner, nodeType: onEci ? 'eci' : 'ecs' });
      if (p.failed) ev({ t, type: 'pod.failed', object: p.name, owner, nodeType: 'eci', reason: eci.failures.reason });
    }
  };
  const applySplit = (total: number, t: number) => {
    const split = computeSplit(sys.ew, total);
    const unitWant = split.units[0]?.replicas ?? 0;
    // Scale-in order: unit pods leave first, the source last (the controller's staging, instantaneous here).
    resize(units, unitWant, true, t, unitDep ?? 'unit');
    resize(source, split.source, false, t, 'source');
    if (wantTimeline) ev({ t, type: 'ew.split', message: `source ${split.source}, ${unitDep} ${unitWant}`, to: total });
    return split;
  };

  for (const seg of segments) {
    // Warm-up like the replay: start from the state the HPA settles in at the segment's first value.
    if (replicas === 0) {
      let cur = Math.max(sys.hpa.minReplicas, 1);
      for (let i = 0; i < 50; i++) {
        const d = reconcile({ now: seg.start / 1000 - 1e6, spec: sys.hpa, flags: sys.flags, specReplicas: cur, currentReplicas: cur, readyPods: cur, values: sys.hpa.metrics.map(() => metricAt(seg.start)) }, newHpaState());
        if (d.desired === cur) break;
        cur = d.desired;
      }
      replicas = cur;
      lastDesired = cur;
      const split = computeSplit(sys.ew, cur);
      for (let i = 0; i < split.source; i++) source.push({ name: `${sys.ew.sourceTarget.name}-sim-${++podSeq}`, readyAt: seg.start - 1, failed: false, created: seg.start - 1 });
      for (let i = 0; i < (split.units[0]?.replicas ?? 0); i++) units.push({ name: `${unitDep}-sim-${++podSeq}`, readyAt: seg.start - 1, failed: false, created: seg.start - 1 });
    }
    const stepMs = Math.min(sync, sys.sampleEverySeconds) * 1000;
    let nextSync = seg.start;
    let nextSample = seg.start;
    for (let t = seg.start; t <= seg.end; t += stepMs) {
      if (t >= nextSync) {
        nextSync += sync * 1000;
        const readyPods = ready(source, t) + ready(units, t);
        for (let i = 0; i < values.length; i++) values[i] = metricAt(t);
        // One input object for the run: reconcile keeps nothing of it.
        input.now = t / 1000;
        input.specReplicas = input.currentReplicas = replicas;
        input.readyPods = readyPods;
        const d = reconcile(input, state);
        if (d.rescale) {
          ev({ t, type: 'hpa.rescale', from: replicas, to: d.desired, reason: 'SuccessfulRescale', message: `New size: ${d.desired}; reason: ${d.desired > replicas ? 'above' : 'below'} target` });
          const dir = Math.sign(d.desired - lastDesired);
          if (dir !== 0 && lastDir !== 0 && dir !== lastDir) directionChanges++;
          if (dir !== 0) lastDir = dir;
          lastDesired = d.desired;
          replicas = d.desired;
          applySplit(replicas, t);
        }
        // Failed ECI pods are replaced by their ReplicaSet.
        for (let i = 0; (units.failed > 0 || !incremental) && i < units.length; i++) {
          if (units.pods[i]!.failed) {
            const p = newPod(true, t);
            units.replace(i, p);
            ev({ t, type: 'pod.created', object: p.name, owner: unitDep, nodeType: 'eci' });
          }
        }
      }
      if (t >= nextSample) {
        nextSample += sys.sampleEverySeconds * 1000;
        const devices = curveAt(t);
        const needed = Math.ceil(devices / sys.devicesPerReplica);
        const srcReady = ready(source, t);
        const unitReady = ready(units, t);
        const unitFailed = units.failed;
        sampled++;
        if (srcReady + unitReady >= needed) covered++;
        peak = Math.max(peak, replicas);
        eciPodSeconds += units.length * sys.sampleEverySeconds;
        totalSeconds += sys.sampleEverySeconds;
        if (wantTimeline) {
          const split = computeSplit(sys.ew, replicas);
          samples.push({
            kind: 'sample',
            t,
            devices,
            metric: metricAt(t),
            needed,
            hpa: { desired: lastDesired, current: replicas },
            ew: { replicas, source: split.source, units: unitDep ? { [unitDep]: split.units[0]?.replicas ?? 0 } : {} },
            pods: { ecs: { ready: srcReady, pending: source.length - srcReady, failed: 0 }, eci: { ready: unitReady, pending: units.length - unitReady - unitFailed, failed: unitFailed } },
          });
        }
      }
    }
  }
  const costEcs = ecsCost(sys.cost, ecsNodes, totalSeconds);
  const costEci = eciCost(sys.cost, eciPodSeconds, sys.pod.vcpu, sys.pod.memoryGiB);
  const summary: SimSummary = {
    sloCoveragePercent: sampled ? (100 * covered) / sampled : 100,
    eciPodHours: eciPodSeconds / 3600,
    ecsNodes,
    costEcs,
    costEci,
    costTotal: costEcs + costEci,
    peakReplicas: peak,
    directionChanges,
    seconds: totalSeconds,
  };
  if (!wantTimeline) return { summary };
  events.sort((a, b) => a.t - b.t);
  const timeline: Timeline = {
    meta: {
      kind: 'meta',
      version: 1,
      source: 'simulator',
      scenario: name,
      start: segments[0]!.start,
      end: segments.at(-1)!.end,
      windows: segments.map((g) => ({ start: g.start, end: g.end })),
      compression: 1,
      constants: {
        slsWindowSeconds: sys.pipeline.slsWindowSeconds,
        exporterIntervalSeconds: Ie,
        scrapeIntervalSeconds: Is,
        adapterRelistSeconds: sys.pipeline.adapterRelistSeconds,
        hpaSyncPeriodSeconds: sync,
        downscaleStabilizationSeconds: sys.flags.downscaleStabilizationSeconds,
      },
      devicesPerReplica: sys.devicesPerReplica,
      sourceMax: sys.ew.sourceTarget.max ?? 0,
      seed: sys.seed,
      notes: [`simulated ${segments.length} segment(s) with the HPA of Kubernetes ${sys.flags.kubernetesVersion ?? KUBERNETES_VERSION}; cost ${summary.costTotal.toFixed(2)} ${sys.cost.currency} (ECS ${costEcs.toFixed(2)}, ECI ${costEci.toFixed(2)})`],
    },
    samples,
    events,
  };
  return { timeline, summary };
}

export function simulate(s: Scenario, sys: SystemConfig, opts: { days?: number } & SimulateOptions = {}): { timeline?: Timeline; summary: SimSummary } {
  const day = 86_400;
  const fixedCurveAt = (tMs: number) => s.curve.at((((tMs - s.dayStartMs) / 1000) % day + day) % day);
  // Inside the day the same float without two fmod calls (the hottest line of a day): x % day is x,
  // and (x + day) % day is (x + day) − day, exact by Sterbenz's lemma.
  const eventCurveAt = (tMs: number) => {
    const x = (tMs - s.dayStartMs) / 1000;
    return s.curve.at(x >= 0 && x < day ? x + day - day : ((x % day) + day) % day);
  };
  const curveAt = opts.stepping === 'fixed' ? fixedCurveAt : eventCurveAt;
  return runModel(sys, curveAt, segmentsFor(s, opts), s.name, { ...(opts.timeline !== undefined ? { timeline: opts.timeline } : {}), ...(opts.stepping ? { stepping: opts.stepping } : {}) });
}
