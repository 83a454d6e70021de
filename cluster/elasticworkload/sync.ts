import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { computeSplit, stageApply, unitDeploymentName, validateSpec, type Observed, type Split } from './split.ts';
import {
  ANNOTATION_TEMPLATE_HASH, buildUnitDeployment, LABEL_UNIT, LABEL_WORKLOAD, selectorString, unitOwner,
  type EwCondition, type EwObject, type EwStatus,
} from './unit.ts';

/**
 * The sync handler of the ElasticWorkload controller, client-go style: `syncElasticWorkload(key,
 * deps)` reads only through listers (informer caches), computes the split and writes the difference
 * through writers, so running it twice changes nothing. Every event is recorded only after the write
 * it describes succeeded. No I/O of its own: the controller injects the clients, the tests fakes.
 */

export interface EwListers {
  getElasticWorkload(namespace: string, name: string): EwObject | undefined;
  getDeployment(namespace: string, name: string): V1Deployment | undefined;
  listDeployments(namespace: string): readonly V1Deployment[];
  /** Pods carrying the unit label, of one namespace. */
  listUnitPods(namespace: string): readonly V1Pod[];
}

export interface EwWriters {
  createDeployment(namespace: string, body: V1Deployment): Promise<unknown>;
  replaceDeployment(namespace: string, name: string, body: V1Deployment): Promise<unknown>;
  scaleDeployment(namespace: string, name: string, replicas: number): Promise<unknown>;
  deleteDeployment(namespace: string, name: string): Promise<unknown>;
  updateStatus(namespace: string, name: string, status: EwStatus): Promise<unknown>;
}

export type EventType = 'Normal' | 'Warning';

export interface EwEventRecorder {
  event(ew: EwObject, type: EventType, reason: string, message: string): void;
}

export interface SyncDeps {
  listers: EwListers;
  writers: EwWriters;
  recorder: EwEventRecorder;
  now?: () => Date;
}

export type SyncOutcome = 'ok' | 'holding' | 'invalid' | 'deleted';

export interface SyncResult {
  outcome: SyncOutcome;
  /** The EW generation this sync acted on. */
  generation?: number;
  /** Writes that succeeded, e.g. "scale nginx-unit-vk 4", "status". */
  writes: string[];
  /** Reasons of the events recorded. */
  events: string[];
}

/** Thrown when some write of a sync failed; the writes that succeeded are in `result`. */
export class SyncError extends Error {
  override readonly cause: unknown;
  readonly code: number | undefined;
  readonly result: SyncResult;
  constructor(cause: unknown, result: SyncResult) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'SyncError';
    this.cause = cause;
    this.code = (cause as { code?: number } | undefined)?.code;
    this.result = result;
  }
}

interface Pending {
  label: string;
  run: () => Promise<unknown>;
  event?: { type: EventType; reason: string; message: string };
}

/** Runs writes concurrently; each event follows its own write's success. Throws the first failure. */
async function apply(ew: EwObject, writes: Pending[], deps: SyncDeps, result: SyncResult): Promise<void> {
  const settled = await Promise.allSettled(
    writes.map(async (w) => {
      await w.run();
      result.writes.push(w.label);
      if (w.event) record(ew, deps, result, w.event.type, w.event.reason, w.event.message);
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw new SyncError(failed.reason, result);
}

function record(ew: EwObject, deps: SyncDeps, result: SyncResult, type: EventType, reason: string, message: string): void {
  deps.recorder.event(ew, type, reason, message);
  result.events.push(reason);
}

export async function syncElasticWorkload(key: string, deps: SyncDeps): Promise<SyncResult> {
  const [namespace, name] = key.split('/') as [string, string];
  const ew = deps.listers.getElasticWorkload(namespace, name);
  const result: SyncResult = { outcome: 'ok', generation: ew?.metadata?.generation, writes: [], events: [] };
  // Deleted: owner references let the garbage collector remove the units.
  if (!ew) return { ...result, outcome: 'deleted' };
  const errors = validateSpec(ew.spec);
  const source = errors.length ? undefined : deps.listers.getDeployment(namespace, ew.spec!.sourceTarget.name);
  if (errors.length || !source) {
    const [reason, message] = errors.length
      ? ['InvalidSpec', errors.join('; ')]
      : ['SourceNotFound', `source Deployment ${namespace}/${ew.spec!.sourceTarget.name} not found`];
    const status: EwStatus = { ...(ew.status ?? {}), observedGeneration: ew.metadata?.generation, conditions: conditions(ew, [{ type: 'Valid', status: 'False', reason, message }], deps) };
    const writes = statusWrite(ew, status, namespace, name, deps);
    await apply(ew, writes, deps, result);
    // The warning describes the condition just written (or already there): recorded after it.
    record(ew, deps, result, 'Warning', reason, message);
    return { ...result, outcome: 'invalid' };
  }
  const plan = planWrites(ew, source, namespace, deps);
  await apply(ew, plan.writes, deps, result);
  if (plan.splitEvent) record(ew, deps, result, 'Normal', 'ElasticWorkloadUpdate', plan.splitEvent);
  return { ...result, outcome: plan.holding ? 'holding' : 'ok' };
}

/** What a unit currently has, from the unit Deployments and their pods in the caches. */
function observe(ew: EwObject, source: V1Deployment, namespace: string, listers: EwListers): { observed: Observed; owned: V1Deployment[] } {
  const name = ew.metadata!.name!;
  const owned = listers.listDeployments(namespace).filter((d) => unitOwner(d) === name && d.metadata?.ownerReferences?.some((r) => r.uid === ew.metadata?.uid));
  const unitPods = new Map<string, number>();
  for (const p of listers.listUnitPods(namespace)) {
    if (p.metadata?.labels?.[LABEL_WORKLOAD] !== name) continue;
    const u = p.metadata.labels[LABEL_UNIT] ?? '';
    unitPods.set(u, (unitPods.get(u) ?? 0) + 1);
  }
  const observed: Observed = { source: source.spec?.replicas ?? 1, units: {} };
  for (const d of owned) {
    const unit = d.metadata?.labels?.[LABEL_UNIT] ?? d.metadata!.name!;
    // Deployment status lags its spec; pods counted directly are the floor.
    const statusCurrent = (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
    const fromStatus = statusCurrent ? (d.status?.replicas ?? 0) : Math.max(d.spec?.replicas ?? 0, d.status?.replicas ?? 0);
    observed.units[unit] = { spec: d.spec?.replicas ?? 0, existing: Math.max(fromStatus, unitPods.get(unit) ?? 0) };
  }
  return { observed, owned };
}

interface Plan {
  writes: Pending[];
  holding: boolean;
  splitEvent?: string;
}

function planWrites(ew: EwObject, source: V1Deployment, namespace: string, deps: SyncDeps): Plan {
  const spec = ew.spec!;
  const name = ew.metadata!.name!;
  const target = computeSplit(spec);
  const { observed, owned } = observe(ew, source, namespace, deps.listers);
  const staged = stageApply(target, observed);
  const writes: Pending[] = [];
  const unitStatus = staged.units.map((u, i) => {
    const want = buildUnitDeployment(ew, source, spec.elasticUnit![i]!, u.replicas);
    const depName = unitDeploymentName(spec.sourceTarget.name, u.name);
    const have = owned.find((d) => d.metadata?.name === depName) ?? deps.listers.getDeployment(namespace, depName);
    const w = unitWrite(namespace, name, want, have, u.replicas, deps.writers);
    if (w) writes.push(w);
    const prev = ew.status?.elasticUnitsStatus?.find((s) => s.name === depName);
    return { name: depName, desiredReplicas: u.replicas, updateTimestamp: prev && prev.desiredReplicas === u.replicas ? prev.updateTimestamp : now(deps) };
  });
  writes.push(...removedUnitWrites(namespace, owned, new Set(unitStatus.map((u) => u.name)), observed, deps.writers));
  // The source last: stageApply holds it until no unit pod is left above its target.
  if ((source.spec?.replicas ?? 1) !== staged.source) {
    const srcName = source.metadata!.name!;
    writes.push({ label: `scale ${srcName} ${staged.source}`, run: () => deps.writers.scaleDeployment(namespace, srcName, staged.source) });
  }
  const nowSplit: Split = { ...target, source: staged.source, units: staged.units };
  const described = describeSplit(nowSplit, spec.sourceTarget.name);
  const splitEvent = splitOf(ew.status) !== described ? `replicas ${spec.replicas ?? 0}: ${described}${staged.holding ? ' (source held until unit pods are gone)' : ''}` : undefined;
  const prevSrc = ew.status?.sourceTarget;
  const conds: EwCondition[] = [{ type: 'Valid', status: 'True', reason: 'SpecValid' }];
  if (target.unplaced > 0) conds.push({ type: 'Saturated', status: 'True', reason: 'AllUnitsAtMax', message: `${target.unplaced} replicas fit in no unit` });
  // The status states what was requested, so it goes out with the writes; a failed write retries the
  // whole sync, which rewrites the status.
  const status: EwStatus = {
    replicas: staged.source + staged.units.reduce((a, u) => a + u.replicas, 0),
    selector: selectorString(source.spec?.selector),
    observedGeneration: ew.metadata?.generation,
    sourceTarget: {
      apiVersion: spec.sourceTarget.apiVersion ?? 'apps/v1',
      kind: spec.sourceTarget.kind ?? 'Deployment',
      name: spec.sourceTarget.name,
      desiredReplicas: staged.source,
      updateTimestamp: prevSrc && prevSrc.desiredReplicas === staged.source ? prevSrc.updateTimestamp : now(deps),
    },
    elasticUnitsStatus: unitStatus,
    conditions: conditions(ew, conds, deps),
  };
  writes.push(...statusWrite(ew, status, namespace, name, deps));
  return { writes, holding: staged.holding, splitEvent };
}

function unitWrite(namespace: string, ewName: string, want: V1Deployment, have: V1Deployment | undefined, replicas: number, w: EwWriters): Pending | undefined {
  const depName = want.metadata!.name!;
  if (!have) {
    return { label: `create ${depName} ${replicas}`, run: () => w.createDeployment(namespace, want), event: { type: 'Normal', reason: 'UnitCreation', message: `created unit Deployment ${depName} with ${replicas} replicas` } };
  }
  if (unitOwner(have) !== ewName) throw new Error(`Deployment ${namespace}/${depName} exists and is not owned by ElasticWorkload ${ewName}`);
  if (have.metadata?.annotations?.[ANNOTATION_TEMPLATE_HASH] !== want.metadata!.annotations![ANNOTATION_TEMPLATE_HASH]) {
    const body = { ...want, metadata: { ...want.metadata, resourceVersion: have.metadata?.resourceVersion } };
    return { label: `replace ${depName} ${replicas}`, run: () => w.replaceDeployment(namespace, depName, body), event: { type: 'Normal', reason: 'UnitUpdate', message: `updated unit Deployment ${depName} from the source template (${replicas} replicas)` } };
  }
  const cur = have.spec?.replicas ?? 1;
  if (cur === replicas) return undefined;
  return { label: `scale ${depName} ${replicas}`, run: () => w.scaleDeployment(namespace, depName, replicas), event: { type: 'Normal', reason: 'UnitUpdate', message: `scaled unit Deployment ${depName} from ${cur} to ${replicas}` } };
}

/** Units removed from the spec drain to zero first, and are deleted once their pods are gone. */
function removedUnitWrites(namespace: string, owned: V1Deployment[], wanted: Set<string>, observed: Observed, w: EwWriters): Pending[] {
  const out: Pending[] = [];
  for (const d of owned) {
    const depName = d.metadata!.name!;
    if (wanted.has(depName)) continue;
    const unit = d.metadata?.labels?.[LABEL_UNIT] ?? '';
    if ((d.spec?.replicas ?? 0) > 0) {
      out.push({ label: `scale ${depName} 0`, run: () => w.scaleDeployment(namespace, depName, 0), event: { type: 'Normal', reason: 'UnitUpdate', message: `draining unit Deployment ${depName} removed from the spec` } });
    } else if ((observed.units[unit]?.existing ?? 0) === 0) {
      out.push({ label: `delete ${depName}`, run: () => w.deleteDeployment(namespace, depName), event: { type: 'Normal', reason: 'UnitUpdate', message: `deleted unit Deployment ${depName} removed from the spec` } });
    }
  }
  return out;
}

/** A status write, or none when only timestamps would change. */
function statusWrite(ew: EwObject, status: EwStatus, namespace: string, name: string, deps: SyncDeps): Pending[] {
  const comparable = (s: EwStatus) =>
    JSON.stringify({
      ...s,
      conditions: s.conditions?.map(({ lastTransitionTime: _t, ...c }) => c),
      sourceTarget: s.sourceTarget && { ...s.sourceTarget, updateTimestamp: undefined },
      elasticUnitsStatus: s.elasticUnitsStatus?.map((u) => ({ ...u, updateTimestamp: undefined })),
    });
  if (comparable(ew.status ?? {}) === comparable(status)) return [];
  return [{ label: 'status', run: () => deps.writers.updateStatus(namespace, name, status) }];
}

function conditions(ew: EwObject, next: EwCondition[], deps: SyncDeps): EwCondition[] {
  const t = now(deps);
  return next.map((c) => {
    const prev = ew.status?.conditions?.find((p) => p.type === c.type);
    return { ...c, lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? t) : t };
  });
}

const now = (deps: SyncDeps) => (deps.now?.() ?? new Date()).toISOString();

function describeSplit(s: Split, source: string): string {
  return [`${source} ${s.source}`, ...s.units.map((u) => `${unitDeploymentName(source, u.name)} ${u.replicas}`)].join(', ');
}

function splitOf(st: EwStatus | undefined): string | undefined {
  if (!st?.sourceTarget) return undefined;
  return [`${st.sourceTarget.name} ${st.sourceTarget.desiredReplicas}`, ...(st.elasticUnitsStatus ?? []).map((u) => `${u.name} ${u.desiredReplicas}`)].join(', ');
}
