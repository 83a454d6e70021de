import {
  AppsV1Api, CoreV1Api, CustomObjectsApi, makeInformer, PatchStrategy, setHeaderOptions, type KubeConfig,
  type Informer, type KubernetesObject, type ObjectCache, type V1Deployment, type V1Pod,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { computeSplit, stageApply, unitDeploymentName, validateSpec, type Observed, type Split } from './split.ts';
import {
  ANNOTATION_TEMPLATE_HASH, buildUnitDeployment, EW_GROUP, EW_KIND, EW_PLURAL, EW_VERSION, LABEL_UNIT, LABEL_WORKLOAD,
  selectorString, unitOwner, type EwCondition, type EwObject, type EwStatus,
} from './unit.ts';
import { createWorkQueue } from './queue.ts';
import { makeKeepAliveClient } from '../local/api-client.ts';

/**
 * The ElasticWorkload controller, client-go style: informers on ElasticWorkloads, Deployments and
 * unit pods feed a work queue of EW keys; `reconcile` reads only the caches, computes the split and
 * writes the difference, so running it twice changes nothing. Scale-in holds the source until unit
 * pods are gone, which is the order the harness asserts.
 */

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace; all namespaces when omitted. */
  namespace?: string;
  logger?: Logger;
  workers?: number;
  /** How soon to look again while the source is held for draining units. */
  drainRecheckMs?: number;
  /** Called after each reconcile with its wall duration (for benchmarks). */
  onReconcile?: (key: string, ms: number, outcome: 'ok' | 'error' | 'holding' | 'invalid') => void;
}

export interface RunningController {
  stop(): Promise<void>;
  /** Resolves once every informer has listed. */
  synced: Promise<void>;
}

const MANAGER = 'ebbflow-elasticworkload-controller';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

type Cache<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export function startController(o: ControllerOptions): RunningController {
  const kc = o.kubeConfig;
  // Writes go over kept-alive connections: a TLS handshake per call doubled reconcile p99 (bench/ew-scale).
  const apps = makeKeepAliveClient(kc, AppsV1Api);
  const core = makeKeepAliveClient(kc, CoreV1Api);
  const custom = makeKeepAliveClient(kc, CustomObjectsApi);
  const log = o.logger;
  const ns = o.namespace;
  const q = createWorkQueue();
  const drainMs = o.drainRecheckMs ?? 100;

  const ewPath = ns ? `/apis/${EW_GROUP}/${EW_VERSION}/namespaces/${ns}/${EW_PLURAL}` : `/apis/${EW_GROUP}/${EW_VERSION}/${EW_PLURAL}`;
  const ews: Cache<EwObject> = makeInformer<EwObject>(kc, ewPath, () =>
    (ns
      ? custom.listNamespacedCustomObject({ group: EW_GROUP, version: EW_VERSION, namespace: ns, plural: EW_PLURAL })
      : custom.listClusterCustomObject({ group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL })) as never,
  ) as Cache<EwObject>;
  const deps: Cache<V1Deployment> = makeInformer<V1Deployment>(kc, ns ? `/apis/apps/v1/namespaces/${ns}/deployments` : '/apis/apps/v1/deployments', () =>
    ns ? apps.listNamespacedDeployment({ namespace: ns }) : apps.listDeploymentForAllNamespaces(),
  ) as Cache<V1Deployment>;
  const pods: Cache<V1Pod> = makeInformer<V1Pod>(
    kc,
    ns ? `/api/v1/namespaces/${ns}/pods` : '/api/v1/pods',
    () => (ns ? core.listNamespacedPod({ namespace: ns, labelSelector: LABEL_UNIT }) : core.listPodForAllNamespaces({ labelSelector: LABEL_UNIT })),
    LABEL_UNIT,
  ) as Cache<V1Pod>;

  const keyOf = (n: string | undefined, name: string | undefined) => `${n}/${name}`;
  /** EW keys whose source is this Deployment. */
  const sourceIndex = new Map<string, Set<string>>();
  const indexEw = (ew: EwObject, remove = false) => {
    const key = keyOf(ew.metadata?.namespace, ew.metadata?.name);
    for (const set of sourceIndex.values()) set.delete(key);
    const src = ew.spec?.sourceTarget?.name;
    if (!remove && src) {
      const sk = keyOf(ew.metadata?.namespace, src);
      if (!sourceIndex.has(sk)) sourceIndex.set(sk, new Set());
      sourceIndex.get(sk)!.add(key);
    }
  };
  const onEw = (ew: EwObject) => {
    indexEw(ew);
    q.add(keyOf(ew.metadata?.namespace, ew.metadata?.name));
  };
  ews.on('add', onEw);
  ews.on('update', onEw);
  ews.on('delete', (ew) => {
    indexEw(ew, true);
    q.forget(keyOf(ew.metadata?.namespace, ew.metadata?.name));
  });
  const onDep = (d: V1Deployment) => {
    const owner = unitOwner(d);
    if (owner) q.add(keyOf(d.metadata?.namespace, owner));
    for (const k of sourceIndex.get(keyOf(d.metadata?.namespace, d.metadata?.name)) ?? []) q.add(k);
  };
  deps.on('add', onDep);
  deps.on('update', onDep);
  deps.on('delete', onDep);
  const onPod = (p: V1Pod) => {
    const ew = p.metadata?.labels?.[LABEL_WORKLOAD];
    if (ew) q.add(keyOf(p.metadata?.namespace, ew));
  };
  pods.on('add', onPod);
  pods.on('delete', onPod);
  pods.on('update', onPod);

  let stopped = false;
  const informers = [ews, deps, pods] as Informer<KubernetesObject>[];
  for (const inf of informers) {
    inf.on('error', (err) => {
      if (stopped) return;
      log?.debug({ err: String(err) }, 'watch failed; restarting informer');
      setTimeout(() => void inf.start().catch(() => {}), 500);
    });
  }
  const synced = (async () => {
    // Caches first, so the first reconcile sees units and pods, not an empty world.
    await deps.start();
    await pods.start();
    await ews.start();
  })();

  const lastEvent = new Map<string, string>();
  // Like client-go's EventRecorder, events are written asynchronously: a slow Event API must not
  // stretch a reconcile.
  async function event(ew: EwObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const key = keyOf(ew.metadata?.namespace, ew.metadata?.name);
    // Repeated identical warnings (an invalid spec re-reconciled) become one event, like the recorder's aggregation.
    if (type === 'Warning' && lastEvent.get(key) === `${reason}:${message}`) return;
    lastEvent.set(key, `${reason}:${message}`);
    const now = new Date();
    try {
      await core.createNamespacedEvent({
        namespace: ew.metadata!.namespace!,
        body: {
          metadata: { generateName: `${ew.metadata!.name}.`, namespace: ew.metadata!.namespace! },
          involvedObject: { apiVersion: `${EW_GROUP}/${EW_VERSION}`, kind: EW_KIND, name: ew.metadata!.name!, namespace: ew.metadata!.namespace!, uid: ew.metadata!.uid! },
          reason,
          message,
          type,
          source: { component: 'elasticworkload-controller' },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          reportingComponent: 'ebbflow.io/elasticworkload-controller',
          reportingInstance: MANAGER,
        },
      });
    } catch (e) {
      log?.debug({ err: String(e) }, 'event not recorded');
    }
  }

  async function writeStatus(ew: EwObject, status: EwStatus): Promise<void> {
    const cur = ew.status ?? {};
    const comparable = (s: EwStatus) =>
      JSON.stringify({
        ...s,
        conditions: s.conditions?.map(({ lastTransitionTime: _t, ...c }) => c),
        sourceTarget: s.sourceTarget && { ...s.sourceTarget, updateTimestamp: undefined },
        elasticUnitsStatus: s.elasticUnitsStatus?.map((u) => ({ ...u, updateTimestamp: undefined })),
      });
    if (comparable(cur) === comparable(status)) return;
    await custom.patchNamespacedCustomObjectStatus(
      { group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace: ew.metadata!.namespace!, name: ew.metadata!.name!, body: { status } },
      mergePatch,
    );
  }

  function conditions(ew: EwObject, next: EwCondition[]): EwCondition[] {
    const now = new Date().toISOString();
    return next.map((c) => {
      const prev = ew.status?.conditions?.find((p) => p.type === c.type);
      return { ...c, lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? now) : now };
    });
  }

  async function reconcile(key: string): Promise<'ok' | 'holding' | 'invalid'> {
    const [namespace, name] = key.split('/') as [string, string];
    const ew = ews.get(name, namespace);
    if (!ew) return 'ok'; // deleted: owner references let the garbage collector remove the units
    const errors = validateSpec(ew.spec);
    if (errors.length) {
      const msg = errors.join('; ');
      void event(ew, 'Warning', 'InvalidSpec', msg);
      await writeStatus(ew, { ...(ew.status ?? {}), observedGeneration: ew.metadata?.generation, conditions: conditions(ew, [{ type: 'Valid', status: 'False', reason: 'InvalidSpec', message: msg }]) });
      return 'invalid';
    }
    const spec = ew.spec!;
    const source = deps.get(spec.sourceTarget.name, namespace);
    if (!source) {
      const msg = `source Deployment ${namespace}/${spec.sourceTarget.name} not found`;
      void event(ew, 'Warning', 'SourceNotFound', msg);
      await writeStatus(ew, { ...(ew.status ?? {}), observedGeneration: ew.metadata?.generation, conditions: conditions(ew, [{ type: 'Valid', status: 'False', reason: 'SourceNotFound', message: msg }]) });
      return 'invalid';
    }

    const target = computeSplit(spec);
    const ownedUnits = deps.list(namespace).filter((d) => unitOwner(d) === name && d.metadata?.ownerReferences?.some((r) => r.uid === ew.metadata?.uid));
    const unitPods = new Map<string, number>();
    for (const p of pods.list(namespace)) {
      if (p.metadata?.labels?.[LABEL_WORKLOAD] !== name) continue;
      const u = p.metadata.labels[LABEL_UNIT] ?? '';
      unitPods.set(u, (unitPods.get(u) ?? 0) + 1);
    }
    const observed: Observed = { source: source.spec?.replicas ?? 1, units: {} };
    for (const d of ownedUnits) {
      const unit = d.metadata?.labels?.[LABEL_UNIT] ?? d.metadata!.name!;
      const statusCurrent = (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
      const fromStatus = statusCurrent ? (d.status?.replicas ?? 0) : Math.max(d.spec?.replicas ?? 0, d.status?.replicas ?? 0);
      observed.units[unit] = { spec: d.spec?.replicas ?? 0, existing: Math.max(fromStatus, unitPods.get(unit) ?? 0) };
    }
    const staged = stageApply(target, observed);

    // Units: create, update template or replicas; drain and delete units removed from the spec.
    const unitStatus: NonNullable<EwStatus['elasticUnitsStatus']> = [];
    // Writes are independent (stageApply already ordered scale-in across reconciles), so they go out together.
    const writes: Promise<unknown>[] = [];
    for (const [i, u] of staged.units.entries()) {
      const want = buildUnitDeployment(ew, source, spec.elasticUnit![i]!, u.replicas);
      const depName = unitDeploymentName(spec.sourceTarget.name, u.name);
      const have = ownedUnits.find((d) => d.metadata?.name === depName) ?? deps.get(depName, namespace);
      if (!have) {
        writes.push(apps.createNamespacedDeployment({ namespace, body: want, fieldManager: MANAGER }));
        void event(ew, 'Normal', 'UnitCreation', `created unit Deployment ${depName} with ${u.replicas} replicas`);
      } else if (unitOwner(have) !== name) {
        throw new Error(`Deployment ${namespace}/${depName} exists and is not owned by ElasticWorkload ${name}`);
      } else if (have.metadata?.annotations?.[ANNOTATION_TEMPLATE_HASH] !== want.metadata!.annotations![ANNOTATION_TEMPLATE_HASH]) {
        writes.push(apps.replaceNamespacedDeployment({
          namespace,
          name: depName,
          body: { ...want, metadata: { ...want.metadata, resourceVersion: have.metadata?.resourceVersion } },
          fieldManager: MANAGER,
        }));
        void event(ew, 'Normal', 'UnitUpdate', `updated unit Deployment ${depName} from the source template (${u.replicas} replicas)`);
      } else if ((have.spec?.replicas ?? 1) !== u.replicas) {
        writes.push(apps.patchNamespacedDeployment({ namespace, name: depName, body: { spec: { replicas: u.replicas } }, fieldManager: MANAGER }, mergePatch));
        void event(ew, 'Normal', 'UnitUpdate', `scaled unit Deployment ${depName} from ${have.spec?.replicas ?? 1} to ${u.replicas}`);
      }
      const prev = ew.status?.elasticUnitsStatus?.find((s) => s.name === depName);
      unitStatus.push({ name: depName, desiredReplicas: u.replicas, updateTimestamp: prev && prev.desiredReplicas === u.replicas ? prev.updateTimestamp : new Date().toISOString() });
    }
    const wanted = new Set(staged.units.map((u) => unitDeploymentName(spec.sourceTarget.name, u.name)));
    for (const d of ownedUnits) {
      if (wanted.has(d.metadata!.name!)) continue;
      const unit = d.metadata?.labels?.[LABEL_UNIT] ?? '';
      if ((d.spec?.replicas ?? 0) > 0) {
        writes.push(apps.patchNamespacedDeployment({ namespace, name: d.metadata!.name!, body: { spec: { replicas: 0 } }, fieldManager: MANAGER }, mergePatch));
        void event(ew, 'Normal', 'UnitUpdate', `draining unit Deployment ${d.metadata!.name} removed from the spec`);
      } else if ((observed.units[unit]?.existing ?? 0) === 0) {
        writes.push(apps.deleteNamespacedDeployment({ namespace, name: d.metadata!.name! }));
        void event(ew, 'Normal', 'UnitUpdate', `deleted unit Deployment ${d.metadata!.name} removed from the spec`);
      }
    }

    // The source last: it only shrinks once no unit pod is left above its target.
    if ((source.spec?.replicas ?? 1) !== staged.source) {
      writes.push(apps.patchNamespacedDeployment({ namespace, name: source.metadata!.name!, body: { spec: { replicas: staged.source } }, fieldManager: MANAGER }, mergePatch));
    }
    const prevSplit = splitOf(ew.status);
    const nowSplit: Split = { ...target, source: staged.source, units: staged.units };
    if (prevSplit !== describeSplit(nowSplit, spec.sourceTarget.name)) {
      void event(ew, 'Normal', 'ElasticWorkloadUpdate', `replicas ${spec.replicas ?? 0}: ${describeSplit(nowSplit, spec.sourceTarget.name)}${staged.holding ? ' (source held until unit pods are gone)' : ''}`);
    }

    const total = staged.source + staged.units.reduce((a, u) => a + u.replicas, 0);
    const prevSrc = ew.status?.sourceTarget;
    const conds: EwCondition[] = [{ type: 'Valid', status: 'True', reason: 'SpecValid' }];
    if (target.unplaced > 0) conds.push({ type: 'Saturated', status: 'True', reason: 'AllUnitsAtMax', message: `${target.unplaced} replicas fit in no unit` });
    // The status states what was requested, so it can go out with the writes; a failed write retries
    // the whole reconcile, which rewrites the status.
    writes.push(writeStatus(ew, {
      replicas: total,
      selector: selectorString(source.spec?.selector),
      observedGeneration: ew.metadata?.generation,
      sourceTarget: {
        apiVersion: spec.sourceTarget.apiVersion ?? 'apps/v1',
        kind: spec.sourceTarget.kind ?? 'Deployment',
        name: spec.sourceTarget.name,
        desiredReplicas: staged.source,
        updateTimestamp: prevSrc && prevSrc.desiredReplicas === staged.source ? prevSrc.updateTimestamp : new Date().toISOString(),
      },
      elasticUnitsStatus: unitStatus,
      conditions: conditions(ew, conds),
    }));
    const failed = (await Promise.allSettled(writes)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return staged.holding ? 'holding' : 'ok';
  }

  async function worker(): Promise<void> {
    for (;;) {
      const key = await q.get();
      if (key === undefined) return;
      const t0 = performance.now();
      let outcome: 'ok' | 'error' | 'holding' | 'invalid' = 'ok';
      try {
        outcome = await reconcile(key);
        q.forget(key);
        if (outcome === 'holding') q.addAfter(key, drainMs);
      } catch (e) {
        outcome = 'error';
        // A conflict or AlreadyExists only means the cache is behind our own last write.
        const benign = [409].includes((e as { code?: number }).code ?? 0);
        if (!stopped) {
          (benign ? log?.debug.bind(log) : log?.warn.bind(log))?.({ key, err: errText(e) }, 'reconcile failed; retrying');
          q.addRateLimited(key);
        }
      } finally {
        q.done(key);
        o.onReconcile?.(key, performance.now() - t0, outcome);
      }
    }
  }
  const workers = synced.then(() => Promise.all(Array.from({ length: o.workers ?? 2 }, worker)));

  return {
    synced,
    async stop() {
      stopped = true;
      q.shutdown();
      await Promise.allSettled(informers.map((i) => i.stop()));
      await Promise.race([workers.catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}

function describeSplit(s: Split, source: string): string {
  return [`${source} ${s.source}`, ...s.units.map((u) => `${unitDeploymentName(source, u.name)} ${u.replicas}`)].join(', ');
}

function splitOf(st: EwStatus | undefined): string | undefined {
  if (!st?.sourceTarget) return undefined;
  return [`${st.sourceTarget.name} ${st.sourceTarget.desiredReplicas}`, ...(st.elasticUnitsStatus ?? []).map((u) => `${u.name} ${u.desiredReplicas}`)].join(', ');
}

function errText(e: unknown): string {
  const body = (e as { body?: unknown }).body;
  if (typeof body === 'string') return body.slice(0, 500);
  return e instanceof Error ? e.message : String(e);
}
