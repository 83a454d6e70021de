import type { Timeline } from '../core/timeline/format.ts';
import { elapsedIntervals } from '../core/timeline/intervals.ts';

/** The series the charts draw, as [virtual ms, value] points, straight from the timeline. */
export function chartData(tl: Timeline) {
  const s = tl.samples;
  let podMs = 0;
  const eciHours: [number, number][] = [];
  const dt = elapsedIntervals(s);
  s.forEach((x, i) => {
    if (i > 0) podMs += (s[i - 1]!.pods.eci.ready + s[i - 1]!.pods.eci.pending) * dt[i - 1]!;
    eciHours.push([x.t, podMs / 3_600_000]);
  });
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
    rescales: tl.events.filter((e) => e.type === 'hpa.rescale').map((e) => [e.t, e.to ?? 0, `${e.from} → ${e.to}`] as [number, number, string]),
    lag: [...lagStages.entries()].map(([stage, points]) => ({ stage, points })),
  };
}
