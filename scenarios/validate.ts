import { checkNodePools } from '../cluster/nodes/config.ts';
import { parseDuration } from '../core/units.ts';
import { SCENARIO_BOUNDS, describeBound } from './bounds.ts';
import { clockSeconds } from './curve.ts';
import type { ScenarioFile } from './schema.ts';

/**
 * Checks across fields of a scenario that has the right shape: what parses but cannot be meant
 * (min above max, windows out of order, steps backwards) and what would make a run unbounded.
 * Pure: paths point into the YAML so the caller can report file:line:field.
 */
export interface SemanticIssue {
  path: (string | number)[];
  message: string;
}

const B = SCENARIO_BOUNDS;

/** A duration the schema accepted (seconds, or "90s", "1m30s", "5m", "1h", "250ms") → seconds. */
export function durationSeconds(d: number | string): number {
  return typeof d === 'number' ? d : parseDuration(d);
}

/** A shift transform: a duration, or a negative one written "-1h". */
export function shiftSeconds(d: number | string): number {
  return typeof d === 'string' && d.startsWith('-') ? -durationSeconds(d.slice(1)) : durationSeconds(d);
}

function windowIssues(v: ScenarioFile): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const ws = v.windows.map((w) => ({ start: clockSeconds(w.start)!, end: clockSeconds(w.end)! }));
  ws.forEach((w, i) => {
    if (w.end <= w.start) out.push({ path: ['windows', i, 'end'], message: `end ${v.windows[i]!.end} must be after start ${v.windows[i]!.start} (a window cannot cross midnight)` });
    if (i > 0 && w.start < ws[i - 1]!.end) out.push({ path: ['windows', i, 'start'], message: `starts before windows[${i - 1}] ends; list windows in order without overlap` });
  });
  const total = ws.reduce((a, w) => a + Math.max(0, w.end - w.start), 0);
  if (total / v.sampleEverySeconds > B.samplesPerRun.max) out.push({ path: ['sampleEverySeconds'], message: `${Math.ceil(total / v.sampleEverySeconds)} samples; must be ${describeBound('samplesPerRun')}` });
  return out;
}

function curveIssues(v: ScenarioFile): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const c = v.curve;
  if ('steps' in c && c.steps.length > B.steps.max) out.push({ path: ['curve', 'steps'], message: `${c.steps.length} steps; must be ${describeBound('steps')}` });
  else if ('steps' in c) {
    c.steps.slice(1).forEach(([t], i) => {
      if (clockSeconds(t)! <= clockSeconds(c.steps[i]![0])!) out.push({ path: ['curve', 'steps', i + 1, 0], message: `${t} is not after the previous step ${c.steps[i]![0]}; list steps in time order` });
    });
  }
  const ts = 'transforms' in c ? c.transforms : [];
  ts.forEach((t, i) => {
    if ('shift' in t) {
      if (Math.abs(shiftSeconds(t.shift)) > B.shiftSeconds.max) out.push({ path: ['curve', 'transforms', i, 'shift'], message: `must be ${describeBound('shiftSeconds')}` });
    }
    if ('splice' in t && clockSeconds(t.splice.from)! >= clockSeconds(t.splice.to)!) {
      out.push({ path: ['curve', 'transforms', i, 'splice', 'to'], message: `from ${t.splice.from} must be before to ${t.splice.to}` });
    }
  });
  return out;
}

function replicaIssues(v: ScenarioFile): SemanticIssue[] {
  const out: SemanticIssue[] = [];
  const { minReplicas, maxReplicas } = v.hpa;
  if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) out.push({ path: ['hpa', 'minReplicas'], message: `${minReplicas} is above hpa.maxReplicas ${maxReplicas}` });
  const ew = v.elasticWorkload;
  if (ew.sourceMin !== undefined && ew.sourceMax !== undefined && ew.sourceMin > ew.sourceMax) out.push({ path: ['elasticWorkload', 'sourceMin'], message: `${ew.sourceMin} is above elasticWorkload.sourceMax ${ew.sourceMax}` });
  const names = new Set<string>();
  (ew.units ?? []).forEach((u, i) => {
    if (u.min !== undefined && u.max !== undefined && u.min > u.max) out.push({ path: ['elasticWorkload', 'units', i, 'min'], message: `${u.min} is above this unit's max ${u.max}` });
    if (names.has(u.name)) out.push({ path: ['elasticWorkload', 'units', i, 'name'], message: `duplicate unit name "${u.name}"` });
    names.add(u.name);
  });
  return out;
}

function nodeIssues(v: ScenarioFile): SemanticIssue[] {
  if (!v.nodes) return [];
  const out: SemanticIssue[] = [];
  const total = v.nodes.ecs.reduce((a, p) => a + p.count, 0);
  if (total > B.ecsNodes.max) out.push({ path: ['nodes', 'ecs'], message: `${total} ECS nodes; must be ${describeBound('ecsNodes')}` });
  if (v.nodes.eci.pods > B.eciPods.max) out.push({ path: ['nodes', 'eci', 'pods'], message: `must be ${describeBound('eciPods')}` });
  for (const e of checkNodePools(v.nodes)) {
    // checkNodePools says "ecs[0].startLatency: min 3 > max 1": its prefix is the field path.
    const [where = '', ...rest] = e.split(': ');
    const path = where.split(/[.[\]]/).filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    out.push({ path: ['nodes', ...path], message: rest.join(': ') || e });
  }
  return out;
}

/** Virtual-time intervals that, divided by compression, would make a loop spin faster than the bound allows. */
function wallIssues(v: ScenarioFile): SemanticIssue[] {
  const k = v.compression;
  const min = B.wallIntervalMs.min;
  const intervals: [(string | number)[], number | undefined][] = [
    [['sampleEverySeconds'], v.sampleEverySeconds],
    [['pipeline', 'slsWindowSeconds'], v.pipeline.slsWindowSeconds],
    [['pipeline', 'exporterIntervalSeconds'], v.pipeline.exporterIntervalSeconds],
    [['pipeline', 'scrapeIntervalSeconds'], v.pipeline.scrapeIntervalSeconds],
    [['pipeline', 'adapterRelistSeconds'], v.pipeline.adapterRelistSeconds],
    [['hpa', 'syncPeriodSeconds'], v.hpa.syncPeriodSeconds],
    [['source', 'heartbeatSeconds'], v.source.mode === 'events' ? v.source.heartbeatSeconds : undefined],
  ];
  return intervals
    .filter(([, s]) => s !== undefined && (s * 1000) / k < min)
    .map(([path, s]) => ({ path, message: `${s} virtual s at compression ${k} is ${((s! * 1000) / k).toFixed(1)} ms of wall time; must be at least ${min} ms (raise it to ${Math.ceil((min * k) / 1000)} or lower the compression)` }));
}

/** A heartbeat slower than the query window leaves devices out of every window: the metric would be wrong by design. */
function sourceIssues(v: ScenarioFile): SemanticIssue[] {
  if (v.source.mode !== 'events' || v.source.heartbeatSeconds <= v.pipeline.slsWindowSeconds) return [];
  return [{ path: ['source', 'heartbeatSeconds'], message: `${v.source.heartbeatSeconds} s is longer than pipeline.slsWindowSeconds (${v.pipeline.slsWindowSeconds} s): a window would miss devices; make the heartbeat at most the window` }];
}

export function semanticIssues(v: ScenarioFile): SemanticIssue[] {
  return [...windowIssues(v), ...curveIssues(v), ...replicaIssues(v), ...nodeIssues(v), ...wallIssues(v), ...sourceIssues(v)];
}
