import type { TimelineSample } from '../core/timeline/format.ts';
import { parseQuantity } from '../core/units.ts';
import { hpaEdges, tolerancesFor } from '../simulator/index.ts';
import { clock, counterExample, dayStart, fmt, readyOf, type Finding, type LintContext, type Rule } from './model.ts';

/**
 * The HPA's policies, each proven on the simulation of the scenario's curve. The metric the
 * simulator serves is the curve itself (active devices), which does not change with the replica
 * count: that is what makes a `Value` target walk and what the tolerance band is measured against.
 */

interface MetricSpec {
  type: string;
  object?: { metric?: { name?: string }; target?: { type?: string; value?: string | number; averageValue?: string | number } };
  external?: { metric?: { name?: string }; target?: { type?: string; value?: string | number; averageValue?: string | number } };
}
interface HpaSpecObject {
  minReplicas?: number;
  maxReplicas?: number;
  metrics?: MetricSpec[];
  behavior?: { scaleDown?: { stabilizationWindowSeconds?: number } };
}
const specOf = (ctx: LintContext) => (ctx.hpa.spec ?? {}) as HpaSpecObject;
const samplesOf = (ctx: LintContext) => ctx.timeline.samples;
const pct = (n: number) => `${n.toFixed(1)} %`;

/** A metric that is the same however many pods there are: an Object or External metric. */
function replicaIndependent(m: MetricSpec): { key: 'object' | 'external'; name: string; target: NonNullable<NonNullable<MetricSpec['object']>['target']> } | undefined {
  const key = m.type === 'Object' ? 'object' : m.type === 'External' ? 'external' : undefined;
  const target = key ? m[key]?.target : undefined;
  return key && target ? { key, name: m[key]?.metric?.name ?? 'the metric', target } : undefined;
}

/** The longest run of same-direction rescales, each within `gapMs` of the one before: the walk. */
function longestWalk(ctx: LintContext, gapMs: number): { from: number; to: number; start: number; end: number; steps: number } | undefined {
  let best: { from: number; to: number; start: number; end: number; steps: number } | undefined;
  let cur: typeof best;
  for (const e of ctx.timeline.events) {
    if (e.type !== 'hpa.rescale' || e.from === undefined || e.to === undefined) continue;
    const up = e.to > e.from;
    if (cur && e.t - cur.end <= gapMs && up === cur.to > cur.from) cur = { ...cur, to: e.to, end: e.t, steps: cur.steps + 1 };
    else cur = { from: e.from, to: e.to, start: e.t, end: e.t, steps: 1 };
    if (!best || Math.abs(cur.to - cur.from) > Math.abs(best.to - best.from)) best = cur;
  }
  return best;
}

export const valueTargetWalk: Rule = {
  id: 'value-target-replica-independent',
  severity: 'error',
  summary: 'A Value target on a metric that does not fall as replicas are added walks the replicas to maxReplicas or minReplicas.',
  help: 'With `target.type: Value` the HPA computes desired = ceil(replicas × metric / target) and stops only when the ratio comes within its tolerance of 1. A count of devices (or any total that the number of pods does not change) never comes back towards the target by scaling, so every sync multiplies the replicas again until a bound. Use `type: AverageValue` with `averageValue` = what one replica serves.',
  check(ctx) {
    const spec = specOf(ctx);
    const { minReplicas = 1, maxReplicas = 1 } = ctx.system.hpa;
    const out: Finding[] = [];
    (spec.metrics ?? []).forEach((m, i) => {
      const ind = replicaIndependent(m);
      if (ind?.target.type !== 'Value') return;
      // The walk's evidence: the count parked at a bound, far from what the curve needs.
      const off = (s: TimelineSample) => Math.abs(s.hpa.desired - s.needed);
      const far = (s: TimelineSample) => (s.hpa.desired === maxReplicas || s.hpa.desired === minReplicas) && off(s) >= Math.max(2, Math.ceil(s.needed / 2));
      const walk = longestWalk(ctx, 3 * ctx.system.flags.syncPeriodSeconds * 1000);
      // After the walk when there is one: a count parked at a bound since the run's start could be the warm-up's.
      const farthest = (from: number) => samplesOf(ctx).filter((s) => s.t >= from && far(s)).reduce<TimelineSample | undefined>((a, s) => (!a || off(s) > off(a) ? s : a), undefined);
      const worst = (walk && walk.steps >= 3 ? farthest(walk.start) : undefined) ?? farthest(-Infinity);
      if (!worst) return;
      const bound = worst.hpa.desired === maxReplicas ? 'maxReplicas' : 'minReplicas';
      const walked = walk && walk.steps >= 3 ? ` The walk: ${walk.from} → ${walk.to} replicas in ${walk.steps} rescales from ${clock(walk.start, dayStart(ctx.timeline))} to ${clock(walk.end, dayStart(ctx.timeline))}.` : '';
      const ce = counterExample(ctx.timeline, worst);
      const held = samplesOf(ctx).reduce((a, s) => a + s.hpa.desired, 0);
      const needed = samplesOf(ctx).reduce((a, s) => a + s.needed, 0);
      const short = samplesOf(ctx).filter((s) => s.hpa.desired < s.needed).length;
      out.push({
        ruleId: this.id,
        severity: this.severity,
        message: `${ind.name} has a Value target (${String(ind.target.value)}), but it does not fall as replicas are added, so the HPA walks to a bound instead of following the need: at ${ce.at} ${fmt(ce.devices)} devices needed ${ce.needed} replicas and the HPA held ${ce.replicas} (its ${bound}).${walked} Over the scenario the HPA held ${pct((100 * held) / Math.max(1, needed))} of the replicas needed, and fewer than needed in ${pct((100 * short) / Math.max(1, samplesOf(ctx).length))} of the samples. Use type AverageValue with averageValue = the devices one replica serves (${fmt(ctx.system.devicesPerReplica)} in the scenario).`,
        location: ctx.locate(ctx.hpa, ['spec', 'metrics', i, ind.key, 'target', 'type']),
        counterExample: ce,
      });
    });
    return out;
  },
};

export const toleranceHidesNeed: Rule = {
  id: 'tolerance-hides-underprovisioning',
  severity: 'warning',
  summary: 'An AverageValue target equal to what one replica serves lets the HPA sit inside its tolerance band while the pods are too few.',
  help: 'The HPA does not scale while metric / (target × replicas) is within its tolerance of 1 (10 % by default). With averageValue at full capacity, up to 10 % more load than the replicas serve never triggers a scale-up. Set averageValue to capacity / (1 + tolerance) (909 for 1,000 at 10 %), or lower `behavior.scaleUp.tolerance` (Kubernetes ≥ 1.35).',
  check(ctx) {
    const spec = specOf(ctx);
    const up = tolerancesFor(ctx.system.hpa, ctx.system.flags, hpaEdges(ctx.system.flags)).up;
    const perReplica = ctx.system.devicesPerReplica;
    const out: Finding[] = [];
    (spec.metrics ?? []).forEach((m, i) => {
      const ind = replicaIndependent(m);
      if (ind?.target.type !== 'AverageValue' || ind.target.averageValue === undefined) return;
      const target = parseQuantity(String(ind.target.averageValue));
      // A sample the band hides: the HPA kept its count although the metric it saw needs more pods, and the ratio was within the band.
      const hidden = (s: TimelineSample) => {
        const c = s.hpa.current;
        if (s.metric === null || c < 1 || s.hpa.desired !== c) return false;
        const ratio = s.metric / (target * c);
        return ratio > 1 && ratio <= 1 + up && Math.ceil(s.metric / perReplica) > c;
      };
      const samples = samplesOf(ctx);
      const hits = samples.filter(hidden).length;
      if (!samples.length || hits / samples.length < 0.01) return;
      // The longest stretch the band hid, its first sample as the counter-example.
      let run = { from: 0, length: 0 };
      for (let a = 0; a < samples.length; a++) {
        if (!hidden(samples[a]!)) continue;
        let b = a;
        while (b + 1 < samples.length && hidden(samples[b + 1]!)) b++;
        if (b - a + 1 > run.length) run = { from: a, length: b - a + 1 };
        a = b;
      }
      const worst = samples[run.from]!;
      const lastOfRun = samples[run.from + run.length - 1]!;
      const ce = counterExample(ctx.timeline, worst);
      const ratio = worst.metric! / (target * worst.hpa.current);
      const minutes = Math.round((lastOfRun.t - worst.t) / 60_000);
      out.push({
        ruleId: this.id,
        severity: this.severity,
        message: `averageValue ${String(ind.target.averageValue)} on ${ind.name} leaves the HPA inside its ${+(up * 100).toFixed(1)} % tolerance while the pods are too few: at ${ce.at} ${fmt(ce.devices)} devices needed ${ce.needed} replicas and the HPA held ${ce.replicas} (ratio ${ratio.toFixed(3)} ≤ ${(1 + up).toFixed(2)}, so no scale-up), and kept them so for ${minutes} min. The band hid under-provisioning in ${pct((100 * hits) / samples.length)} of the samples; SLO coverage ${pct(ctx.coveragePercent)}. Set averageValue to ${fmt(Math.floor(perReplica / (1 + up)))} (capacity / (1 + tolerance)) or lower behavior.scaleUp.tolerance.`,
        location: ctx.locate(ctx.hpa, ['spec', 'metrics', i, ind.key, 'target', 'averageValue']),
        counterExample: ce,
      });
    });
    return out;
  },
};

export const stabilizationShorterThanStart: Rule = {
  id: 'stabilization-shorter-than-eci-start',
  severity: 'warning',
  summary: 'A scale-down stabilization window shorter than an ECI pod takes to start gives up pods that a recovery must start again.',
  help: 'After a dip shorter than an ECI start, the HPA has already removed the overflow pods; when the load returns, new ECI pods take the start time again and the workload is short meanwhile. Keep `behavior.scaleDown.stabilizationWindowSeconds` (or kube-controller-manager\'s --horizontal-pod-autoscaler-downscale-stabilization) at least as long as the slowest ECI start.',
  check(ctx) {
    const spec = specOf(ctx);
    if (ctx.system.placement.tiers.length < 2) return [];
    const fromBehavior = spec.behavior?.scaleDown?.stabilizationWindowSeconds;
    const window = fromBehavior ?? ctx.system.flags.downscaleStabilizationSeconds;
    const start = ctx.eciStartSeconds;
    if (window >= start) return [];
    const rescales = ctx.timeline.events.filter((e) => e.type === 'hpa.rescale' && e.from !== undefined && e.to !== undefined);
    for (const [i, down] of rescales.entries()) {
      if (down.to! >= down.from!) continue;
      const upAgain = rescales.slice(i + 1).find((e) => e.to! > e.from!);
      if (!upAgain || upAgain.t - down.t > start * 1000) continue;
      // The recovery: the HPA asks for enough again, and the pods it gave up are not Ready yet.
      const short = samplesOf(ctx).find((s) => s.t >= upAgain.t && s.t <= upAgain.t + start * 1000 && s.hpa.desired >= s.needed && readyOf(s) < s.needed);
      if (!short) continue;
      const ce = counterExample(ctx.timeline, short, short.hpa.desired, readyOf(short));
      const downAt = clock(down.t, dayStart(ctx.timeline));
      return [{
        ruleId: this.id,
        severity: this.severity,
        message: `scale-down stabilization is ${window} s${fromBehavior === undefined ? ' (the controller flag; the HPA sets no behavior.scaleDown)' : ''}, shorter than the ${start} s an ECI pod takes to start: the HPA scaled ${down.from} → ${down.to} at ${downAt} and back up ${Math.round((upAgain.t - down.t) / 1000)} s later, and at ${ce.at} ${fmt(ce.devices)} devices needed ${ce.needed} replicas while only ${ce.ready} were Ready (the HPA held ${ce.replicas}). Set behavior.scaleDown.stabilizationWindowSeconds to at least ${start}.`,
        location: fromBehavior === undefined ? ctx.locate(ctx.hpa, ['spec']) : ctx.locate(ctx.hpa, ['spec', 'behavior', 'scaleDown', 'stabilizationWindowSeconds']),
        counterExample: ce,
      }];
    }
    return [];
  },
};

export const maxBelowPeak: Rule = {
  id: 'max-below-peak-need',
  severity: 'error',
  summary: "maxReplicas is below the replicas the curve's peak needs.",
  help: "Whatever the HPA computes, it never goes above maxReplicas: at the history's peak the workload is short by the difference for as long as the peak lasts. Raise maxReplicas to at least ceil(peak devices / devices per replica), with headroom for growth.",
  check(ctx) {
    const max = ctx.system.hpa.maxReplicas;
    const peak = samplesOf(ctx).reduce<TimelineSample | undefined>((a, s) => (!a || s.needed > a.needed ? s : a), undefined);
    if (!peak || peak.needed <= max) return [];
    const ce = counterExample(ctx.timeline, peak);
    const short = samplesOf(ctx).filter((s) => s.needed > max).length;
    return [{
      ruleId: this.id,
      severity: this.severity,
      message: `maxReplicas ${max} is below the peak need: at ${ce.at} ${fmt(ce.devices)} devices needed ${ce.needed} replicas and the HPA held ${ce.replicas}; the need was above ${max} in ${short} samples (${pct((100 * short) / samplesOf(ctx).length)}). Raise maxReplicas to at least ${ce.needed}.`,
      location: ctx.locate(ctx.hpa, ['spec', 'maxReplicas']),
      counterExample: ce,
    }];
  },
};

export const HPA_RULES: readonly Rule[] = [valueTargetWalk, toleranceHidesNeed, stabilizationShorterThanStart, maxBelowPeak];
