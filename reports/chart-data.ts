import type { Timeline } from '../core/timeline/format.ts';
import { costSeries, runningTotals, type CostBasis } from '../core/checks/measures.ts';

/**
 * The series the charts draw, as [virtual ms, value] points, straight from the timeline; running
 * pod-hours and cost are the measures' (core/checks/measures.ts), cost per tier only with a cost basis.
 */
export function chartData(tl: Timeline, cost?: CostBasis) {
  const s = tl.samples;
  const eciHours = runningTotals(tl).map((x) => [x.t, x.eciPodSeconds / 3600] as [number, number]);
  const money = cost ? costSeries(tl, cost) : undefined;
  const unitsOf = (x: (typeof s)[number]) => Object.values(x.ew.units).reduce((a, b) => a + b, 0);
  const lagStages = new Map<string, [number, number][]>();
  for (const e of tl.events) {
    if (e.type === 'metric.published' && e.object && e.to !== undefined) {
      if (!lagStages.has(e.object)) lagStages.set(e.object, []);
      lagStages.get(e.object)!.push([e.t, e.to]);
    }
  }
  const pts = (f: (x: (typeof s)[number]) => number | null): [number, number | null][] => s.map((x) => [x.t, f(x)]);
  return {
    devices: pts((x) => x.devices) as [number, number][],
    metric: pts((x) => x.metric),
    needed: pts((x) => x.needed) as [number, number][],
    desired: pts((x) => x.hpa.desired) as [number, number][],
    current: pts((x) => x.hpa.current) as [number, number][],
    replicas: pts((x) => x.ew.replicas) as [number, number][],
    source: pts((x) => x.ew.source) as [number, number][],
    units: pts(unitsOf) as [number, number][],
    ecsReady: pts((x) => x.pods.ecs.ready) as [number, number][],
    ecsPending: pts((x) => x.pods.ecs.pending) as [number, number][],
    eciReady: pts((x) => x.pods.eci.ready) as [number, number][],
    ready: pts((x) => x.pods.ecs.ready + x.pods.eci.ready) as [number, number][],
    eciPending: pts((x) => x.pods.eci.pending + x.pods.eci.failed) as [number, number][],
    eciHours,
    /** Running cost of the ECS tier (subscription nodes) and of the ECI tier, in the basis's currency. */
    ecsCost: money?.map((x) => [x.t, x.ecs] as [number, number]),
    eciCost: money?.map((x) => [x.t, x.eci] as [number, number]),
    rescales: tl.events.filter((e) => e.type === 'hpa.rescale').map((e) => [e.t, e.to ?? 0, `${e.from} → ${e.to}`] as [number, number, string]),
    lag: [...lagStages.entries()].map(([stage, points]) => ({ stage, points })),
  };
}
