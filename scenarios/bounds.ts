/**
 * The one table of limits on scenario input. Each bound keeps a run's work finite and its result
 * meaningful: a scenario from an untrusted change (a pull request) must not exhaust memory or CPU,
 * and a number that parses but cannot be what the author meant is refused before anything starts.
 * scenarios/README.md and harness/README.md (SECURITY) document this table; keep them in step.
 */
export interface Bound {
  min?: number;
  max: number;
  unit: string;
  why: string;
}

export const SCENARIO_BOUNDS = {
  compression: { min: 1, max: 600, unit: 'virtual s per wall s', why: 'above 600× the HPA sync period and pod start delays fall below what the processes can resolve' },
  sampleEverySeconds: { min: 1, max: 3600, unit: 'virtual s', why: 'sub-second samples only multiply the timeline; an hour is the coarsest useful sample' },
  samplesPerRun: { max: 1_000_000, unit: 'timeline samples', why: 'each sample is kept in memory and written to timeline.jsonl (simulate --days multiplies it)' },
  replicas: { min: 0, max: 2000, unit: 'replicas', why: 'hpa.minReplicas/maxReplicas, elasticWorkload.sourceMin/sourceMax and unit min/max; every replica is a pod the cluster or the simulator tracks' },
  ecsNodes: { min: 0, max: 200, unit: 'nodes (all ECS pools together)', why: 'each node is a KWOK object with heartbeats on a local control plane' },
  eciPods: { min: 1, max: 5000, unit: 'pods', why: 'capacity of the ECI virtual node' },
  intervalSeconds: { min: 1, max: 3600, unit: 'virtual s', why: 'pipeline.* intervals and windows and hpa.syncPeriodSeconds' },
  stabilizationSeconds: { min: 0, max: 3600, unit: 'virtual s', why: 'hpa.downscaleStabilizationSeconds, like the behavior windows (Kubernetes allows at most 3600)' },
  metricTarget: { min: 0, max: 1e12, unit: 'metric units (above 0)', why: 'hpa.target.value and every metric target of a manifests HPA: 0 divides by zero, a larger one is a unit mistake' },
  policies: { min: 0, max: 16, unit: 'policies per direction', why: 'hpa.behavior.scaleUp/scaleDown.policies, each evaluated at every HPA sync' },
  policyValue: { min: 1, max: 100_000, unit: 'pods or percent', why: 'a behavior policy\'s value' },
  policyPeriodSeconds: { min: 1, max: 1800, unit: 's', why: 'a behavior policy\'s periodSeconds (Kubernetes allows 1 to 1800)' },
  tolerance: { min: 0, max: 1, unit: '(a ratio)', why: 'hpa.tolerance and behavior tolerances: the band around the target in which the HPA keeps its count' },
  units: { min: 0, max: 16, unit: 'elastic units', why: 'elasticWorkload.units and a manifests ElasticWorkload\'s elasticUnit list; each is a Deployment the controller keeps' },
  wallIntervalMs: { min: 20, max: Infinity, unit: 'wall ms (an interval divided by compression)', why: 'a loop faster than this starves the control plane on a small CI machine' },
  devices: { min: 0, max: 1e9, unit: 'devices', why: 'curve values, const and steps; more than a billion active devices is a unit mistake' },
  devicesPerReplica: { min: 1e-3, max: 1e9, unit: 'devices', why: 'capacity of one replica' },
  windows: { min: 1, max: 96, unit: 'windows', why: 'parts of one day, in order, without overlap' },
  steps: { min: 1, max: 10_000, unit: 'steps', why: 'one per second of the day is already more than a test needs' },
  transforms: { min: 0, max: 32, unit: 'transforms', why: 'each one copies the whole curve' },
  scaleFactor: { min: 1e-9, max: 1e6, unit: '×', why: 'curve.transforms scale and growth' },
  shiftSeconds: { min: -86_400, max: 86_400, unit: 's', why: 'a shift of more than a day moves the whole curve off the day' },
  expectations: { min: 0, max: 200, unit: 'expectations', why: 'each is checked over the whole timeline' },
  curveFileBytes: { min: 0, max: 32 * 1024 * 1024, unit: 'bytes', why: 'a year of one-minute rows is about 16 MiB' },
  heartbeatSeconds: { min: 1, max: 3600, unit: 'virtual s', why: 'source.heartbeatSeconds in events mode: how often each device of the fleet sends a heartbeat' },
  fleetDevices: { min: 0, max: 200_000, unit: 'devices (the peak of the curve over the windows, events mode)', why: 'every device is a heartbeat the k6 fleet sends and the fake SLS stores; see bench/README.md for what 2 cores sustain' },
  exporterArgs: { min: 1, max: 64, unit: 'arguments', why: 'exporter.command, the program and its arguments' },
  curveDays: { min: 1, max: 366, unit: 'days', why: 'a multi-day export is kept whole (resampled per minute); a year at most' },
} as const satisfies Record<string, Bound>;

export type BoundName = keyof typeof SCENARIO_BOUNDS;

/** "between 1 and 600 virtual s" — the wording every bound error uses. */
export function describeBound(name: BoundName): string {
  const b: Bound = SCENARIO_BOUNDS[name];
  if (b.min === undefined) return `at most ${b.max} ${b.unit}`;
  if (b.max === Infinity) return `at least ${b.min} ${b.unit}`;
  return `between ${b.min} and ${b.max} ${b.unit}`;
}
