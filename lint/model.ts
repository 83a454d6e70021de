import type { KubeObject } from '../kinds/model/objects.ts';
import type { Timeline, TimelineSample } from '../core/timeline/format.ts';
import type { SystemConfig } from '../simulator/index.ts';

/**
 * What a lint rule is and what it reports. A rule reads the team's manifests and one simulation of
 * the scenario's curve through them, and reports a finding only with a counter-example from that
 * simulation: a policy that the curve never exercises is not reported, so every finding can be
 * checked by rerunning `ebbflow simulate` on the same scenario and manifests.
 */

export type Severity = 'error' | 'warning' | 'note';
export const SEVERITIES: readonly Severity[] = ['note', 'warning', 'error'];

/** Whether `s` is at or above `floor` (note < warning < error). */
export const atLeast = (s: Severity, floor: Severity) => SEVERITIES.indexOf(s) >= SEVERITIES.indexOf(floor);

export interface RuleMeta {
  /** Stable id, kebab-case: SARIF's rule id and what a team suppresses by. */
  id: string;
  severity: Severity;
  /** One sentence: the policy. */
  summary: string;
  /** Why it matters and the fix, for SARIF's help text and the README. */
  help: string;
}

/** Where a finding points: a field of an object in the team's manifests. */
export interface Location {
  /** As the loader shows it: relative to the current directory when inside it. */
  file: string;
  /** 1-based; absent when only the file is known (a value a kustomize transformer sets). */
  line?: number;
  column?: number;
  /** `Kind namespace/name: dotted.path`, for people. */
  field: string;
}

/** One instant of the simulation that shows the policy failing. */
export interface CounterExample {
  /** Virtual epoch ms. */
  t: number;
  /** `HH:MM:SS` of the scenario's day, UTC (the curve's clock). */
  at: string;
  devices: number;
  /** ceil(devices / devicesPerReplica). */
  needed: number;
  /** What the HPA held then (its desired replicas, or with a CronHPA the bound it was held to). */
  replicas: number;
  /** Replicas Ready then, when the point is that they were not. */
  ready?: number;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  location: Location;
  counterExample: CounterExample;
}

/** Everything a rule reads. Pure data: the loader (`load.ts`) does the I/O and runs the simulation. */
export interface LintContext {
  /** Every object of the team's manifests, CronHPAs included. */
  objects: KubeObject[];
  /** The HPA as autoscaling/v2 (converted when the manifests hold v2beta1). */
  hpa: KubeObject;
  /** What the HPA scales (the ElasticWorkload, or the workload itself). */
  target: KubeObject;
  /** The workload whose pods are scaled (the ElasticWorkload's source, or the target itself). */
  workload: KubeObject;
  /** The system as simulated: the manifests' HPA and placement, the scenario's curve, nodes and controller flags. */
  system: SystemConfig;
  timeline: Timeline;
  /** SLO coverage of the simulation, percent of samples with Ready ≥ needed. */
  coveragePercent: number;
  /** Seconds an ECI pod takes at worst to become Ready (start + slowest image pull + jitter), from the scenario's nodes. */
  eciStartSeconds: number;
  /** The time zone CronHPA schedules are read in (the controller's TZ). */
  timeZone: string;
  /** Where a field was written; always answers (at least the object's file). */
  locate(o: KubeObject, path: readonly (string | number)[]): Location;
}

export interface Rule extends RuleMeta {
  check(ctx: LintContext): Finding[];
}

export function clock(t: number, dayStartMs: number): string {
  const s = Math.floor((((t - dayStartMs) / 1000) % 86_400 + 86_400) % 86_400);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(s / 3600))}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`;
}

/** The sample's state as a counter-example, on the timeline's day. */
export function counterExample(tl: Timeline, s: TimelineSample, replicas = s.hpa.desired, ready?: number): CounterExample {
  return { t: s.t, at: clock(s.t, dayStart(tl)), devices: s.devices, needed: s.needed, replicas, ...(ready !== undefined ? { ready } : {}) };
}

/** 00:00 UTC of the day the timeline starts on. */
export function dayStart(tl: Timeline): number {
  return Math.floor(tl.meta.start / 86_400_000) * 86_400_000;
}

export const readyOf = (s: TimelineSample) => s.pods.ecs.ready + s.pods.eci.ready;
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
