import { dirname, resolve } from 'node:path';
import type { V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { validateClusterName } from '../../cluster/local/index.ts';
import { parseExporterConfig, type ExporterConfig } from '../../exporter/index.ts';
import { manifestsSource } from '../../manifests/files.ts';
import { harnessSystemManifests, loadHarnessManifests, type HarnessManifests, type KubeObject } from '../../manifests/index.ts';
import { ewWithOverrides } from '../../kinds/placement/elasticworkload/index.ts';
import { hpaWithOverrides } from '../../kinds/scaler/hpa/index.ts';
import { scalerKind, scheduleKind } from '../../kinds/registry.ts';
import { resolveSystem, timelineConstants, type ResolvedSystem } from '../../kinds/system.ts';
import type { Scenario } from '../../scenarios/index.ts';
import { UserError } from '../../core/errors.ts';
import type { Timeline, TimelineMeta } from '../../core/timeline/format.ts';
import { readTimeline } from '../../core/timeline/io.ts';
import { CompressionError, compressBehavior, withApiDefaultPolicies, type HpaBehavior } from './compression.ts';
import { createReplayClock, type ReplayClock } from '../clock/replay-clock.ts';

/**
 * Everything a replay needs decided before a process starts: the manifests, the resolved system,
 * the HPA with behavior compressed by k, the exporter config, the baseline, the clock. Every input
 * error surfaces here, as a UserError naming the file and field.
 */
export interface ReplayPlan {
  scenario: Scenario;
  manifests: HarnessManifests;
  system: ReplaySystem;
  /**
   * The scaler as applied: the HPA, overrides and behavior compressed by k; or the object that makes
   * one (KEDA's ScaledObject, its times compressed), whose HPA is `hpaName`.
   */
  hpa: KubeObject;
  /** The HPA the warm-up waits for and the recorder records (the scaler's own, or the one it generates). */
  hpaName: string;
  /** The scaler asks the SLS external scaler (a ScaledObject's `external` trigger): the run serves one. */
  externalScaler: boolean;
  /** The toolchain binaries the scaler's components run beside the cluster (KEDA's). */
  scalerToolchain: string[];
  /** The placement's own object as applied (the ElasticWorkload); absent when the HPA scales the Deployment directly. */
  ew?: KubeObject;
  /** The namespace the HPA and its workload live in (the manifests' own). */
  namespace: string;
  exporterConfig: ExporterConfig;
  baseline: Timeline | undefined;
  clusterName: string;
  clock: ReplayClock;
  windowStartsMs: number[];
  /** The windows in virtual epoch ms, replayed back to back. */
  windows: { start: number; end: number }[];
  /** The projects and logstores the exporter config reads (a team's own names): what the fake SLS must know. */
  slsProjects: Record<string, string[]>;
  /** The HPA's first Object metric on a Service, for the warm-up's and the probe's view of each stage; it moves with `namespace`. */
  metric?: ObjectMetric;
  /** Virtual seconds of all windows. */
  virtualTotal: number;
  devices(tMs: number): number;
  warnings: string[];
}

/**
 * The resolved system, plus the one field of the shape before placement kinds that the engine's
 * recorder options still read (the cheapest tier's Deployment as an ElasticWorkload's source); it
 * goes once the engine hands the recorder the placement kind's view.
 */
export type ReplaySystem = ResolvedSystem & { ew: { sourceTarget: { name: string } } };

export const NAMESPACE = 'default';

/** The placements whose controller is OpenKruise's manager, run beside a cluster ebbflow made (built on first use). */
const KRUISE_PLACEMENTS = ['UnitedDeployment', 'WorkloadSpread'];
export const runsKruise = (plan: Pick<ReplayPlan, 'system'>) => KRUISE_PLACEMENTS.includes(plan.system.placement.kind);

/** A metric of the custom metrics API, as the adapter serves it for the HPA. */
export interface ObjectMetric {
  namespace: string;
  service: string;
  name: string;
}

/** The HPA the manifests declare, with the scenario's overrides and behavior compressed by k. */
export function buildHpa(base: KubeObject, s: Scenario, warnings: string[]): KubeObject {
  return compressHpa(hpaWithOverrides(base, s, s.file), s, warnings);
}

/** The ElasticWorkload the manifests declare, with the scenario's overrides. */
export function buildElasticWorkload(base: KubeObject, s: Scenario): KubeObject {
  return ewWithOverrides(base, s, s.file);
}

function compressHpa(hpaObject: KubeObject, s: Scenario, warnings: string[]): KubeObject {
  const hpa = structuredClone(hpaObject) as KubeObject & { spec: V2HorizontalPodAutoscaler['spec'] & object };
  const behavior = hpa.spec.behavior as HpaBehavior | undefined;
  if (!behavior) return hpa;
  hpa.spec.behavior = compressedBehavior(behavior, s, warnings) as never;
  return hpa;
}

/** An HPA behavior compressed by the scenario's k (the API's form: tolerance as a quantity string). */
function compressedBehavior(behavior: HpaBehavior, s: Scenario, warnings: string[]): Record<string, unknown> {
  try {
    // The API server's default policies, which the team did not write, always run rate-preserving
    // when k leaves them below a second: refusing k for them would refuse every behavior.
    const filled = withApiDefaultPolicies(behavior);
    const c = compressBehavior(filled.behavior, s.compression, { ratePreserving: s.fidelity === 'rate-preserving', ratePreservingDirections: filled.defaulted });
    warnings.push(...c.warnings);
    const out = structuredClone(c.behavior) as Record<string, Record<string, unknown> | undefined>;
    // The API takes tolerance as a quantity string.
    for (const dir of ['scaleUp', 'scaleDown']) if (out[dir]?.tolerance !== undefined) out[dir]!.tolerance = String(out[dir]!.tolerance);
    return out;
  } catch (e) {
    if (e instanceof CompressionError) throw new UserError(`${s.file}: compression: ${e.message}`, `set compression: ${e.largestLegalK} or fidelity: rate-preserving`);
    throw e;
  }
}

/** The fake SLS accepts only its test key pair, whatever credentials the team's exporter config names. */
const FAKE_SLS_KEYS = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'ebbflow-test-ak', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'ebbflow-test-secret' };

function secretEnv(m: HarnessManifests): NodeJS.ProcessEnv {
  const sec = m.objects.find((o) => o.kind === 'Secret' && o.metadata.name.startsWith('sls-exporter-credentials')) as (KubeObject & { data?: Record<string, string> }) | undefined;
  const get = (k: string) => (sec?.data?.[k] ? Buffer.from(sec.data[k], 'base64').toString('utf8') : undefined);
  return { ALIBABA_CLOUD_ACCESS_KEY_ID: get('accessKeyId') ?? FAKE_SLS_KEYS.ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: get('accessKeySecret') ?? FAKE_SLS_KEYS.ALIBABA_CLOUD_ACCESS_KEY_SECRET };
}

export function clusterNameFor(s: Scenario): string {
  return `replay-${s.name}`.slice(0, 40).replace(/-+$/, '');
}

async function loadBaseline(s: Scenario, given: string | undefined): Promise<Timeline | undefined> {
  const e = s.expectations.find((x) => x.type === 'baseline');
  const file = given ?? (e?.type === 'baseline' && e.file ? resolve(dirname(s.file), e.file) : undefined);
  if (!file) return undefined;
  try {
    return await readTimeline(file);
  } catch (err) {
    throw new UserError(`cannot read baseline ${file}: ${(err as Error).message}`, 'give a timeline.jsonl written by an earlier replay (--baseline FILE)');
  }
}

export async function planReplay(o: { scenario: Scenario; manifestsDir?: string; manifestsPath?: string; baselineFile?: string; clusterName?: string }): Promise<ReplayPlan> {
  const s = o.scenario;
  const source = manifestsSource(s, o.manifestsPath);
  const manifests = await loadHarnessManifests({ dir: o.manifestsDir, ...(source ? { source } : {}) });
  const warnings: string[] = [];
  const system = resolveSystem(s, harnessSystemManifests(manifests));
  // A scaler that generates its HPA (KEDA) is applied as itself, its times compressed; the replay
  // waits for and records the HPA it makes.
  const replayed = scalerKind(system.scaler).replayed?.(system.hpaObject, { k: s.compression, compressBehavior: (b) => compressedBehavior(b as HpaBehavior, s, warnings) });
  warnings.push(...(replayed?.warnings ?? []));
  const hpa = replayed?.object ?? compressHpa(system.hpaObject, s, warnings);
  const exporterConfig = parseExporterConfig(manifests.exporterConfigYaml, `${manifests.source ?? 'manifests/overlays/local'}: exporter ConfigMap`, secretEnv(manifests));
  const projects = slsProjects(exporterConfig);
  const namespace = manifests.namespace ?? NAMESPACE;
  const metric = objectMetric(hpa, namespace);
  const windowStartsMs = s.windows.map((w) => s.dayStartMs + w.start * 1000);
  return {
    scenario: s,
    manifests,
    system: { ...system, ew: { sourceTarget: { name: system.placement.tiers[0]!.deployment } } },
    hpa,
    hpaName: replayed?.hpaName ?? hpa.metadata.name,
    externalScaler: scalerKind(system.scaler).externalScaler?.(hpa) ?? false,
    scalerToolchain: [...(scalerKind(system.scaler).toolchain ?? [])],
    ...(system.placement.object ? { ew: system.placement.object } : {}),
    namespace,
    exporterConfig,
    baseline: await loadBaseline(s, o.baselineFile),
    clusterName: validateClusterName(o.clusterName ?? clusterNameFor(s), o.clusterName ? 'cluster name' : `${s.file}: name (as cluster replay-<name>)`),
    clock: createReplayClock({ k: s.compression, windowStartsMs }),
    windowStartsMs,
    windows: s.windows.map((w) => ({ start: s.dayStartMs + w.start * 1000, end: s.dayStartMs + w.end * 1000 })),
    slsProjects: projects,
    ...(metric ? { metric } : {}),
    virtualTotal: s.windows.reduce((a, w) => a + w.end - w.start, 0),
    devices: (tMs: number) => s.curve.at((tMs - s.dayStartMs) / 1000),
    warnings,
  };
}

export function timelineMeta(p: ReplayPlan): TimelineMeta {
  const s = p.scenario;
  const spec = p.hpa.spec as { minReplicas?: number; maxReplicas: number };
  return {
    kind: 'meta',
    version: 1,
    source: 'cluster',
    scenario: s.name,
    start: p.windowStartsMs[0]!,
    end: s.dayStartMs + s.windows.at(-1)!.end * 1000,
    windows: p.windows.map((w) => ({ ...w })),
    timeZone: s.timezone,
    compression: s.compression,
    constants: timelineConstants(p.system),
    devicesPerReplica: s.devicesPerReplica,
    sourceMax: p.system.placement.tiers[0]!.max ?? 0,
    seed: s.seed,
    notes: [
      `windows: ${s.windows.map((w) => `${hhmm(w.start)}–${hhmm(w.end)}`).join(', ')} ${s.timezone} (replayed back to back)`,
      p.hpaName === p.hpa.metadata.name
        ? `HPA: ${describeTarget(p.hpa)}, min ${spec.minReplicas ?? 1}, max ${spec.maxReplicas}`
        : `${p.hpa.kind} ${p.hpa.metadata.name} → HPA ${p.hpaName}: ${p.system.hpa.metrics.map((m) => `${m.type} ${m.target}`).join(', ')}, min ${p.system.hpa.minReplicas}, max ${p.system.hpa.maxReplicas}`,
      ...(p.system.schedule ? [scheduleKind(p.system.schedule.kind).describe(p.system.schedule.spec)] : []),
      ...p.warnings.map((w) => `fidelity: ${w}`),
    ],
  };
}

function hhmm(s: number): string {
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;
}

function describeTarget(hpa: KubeObject): string {
  const m = (hpa.spec as V2HorizontalPodAutoscaler['spec'])?.metrics?.[0];
  const t = m?.object?.target;
  return `${m?.object?.metric.name ?? '?'} on ${m?.object?.describedObject.kind}/${m?.object?.describedObject.name}, target ${t?.type} ${t?.value ?? t?.averageValue}`;
}

function slsProjects(config: ExporterConfig): Record<string, string[]> {
  const projects: Record<string, string[]> = {};
  for (const m of config.metrics) projects[m.project] = [...new Set([...(projects[m.project] ?? []), m.logstore])];
  return projects;
}

function objectMetric(hpa: KubeObject, namespace: string): ObjectMetric | undefined {
  const m = (hpa.spec as { metrics?: { type: string; object?: { describedObject?: { kind?: string; name?: string }; metric?: { name?: string } } }[] }).metrics?.find((x) => x.type === 'Object' && x.object?.describedObject?.kind === 'Service');
  return m?.object?.describedObject?.name && m.object.metric?.name ? { namespace, service: m.object.describedObject.name, name: m.object.metric.name } : undefined;
}
