import { createHash } from 'node:crypto';
import type { V1Deployment, V1LabelSelector, V1OwnerReference, V1PodTemplateSpec } from '@kubernetes/client-node';
import { unitDeploymentName, type ElasticUnitSpec, type ElasticWorkloadSpec } from './split.ts';

/**
 * Building a unit Deployment from the source, pure. The unit is a clone of the source's pod template
 * with the unit's labels, annotations, nodeSelector, tolerations and affinity over it. Two extra
 * labels keep the unit's selector disjoint from the source's ReplicaSets and let the controller count
 * a unit's pods without asking the Deployment (whose status lags).
 */

export const EW_GROUP = 'autoscaling.alibabacloud.com';
export const EW_VERSION = 'v1beta1';
export const EW_PLURAL = 'elasticworkloads';
export const EW_KIND = 'ElasticWorkload';
export const LABEL_WORKLOAD = 'ebbflow.io/elastic-workload';
export const LABEL_UNIT = 'ebbflow.io/elastic-unit';
export const ANNOTATION_TEMPLATE_HASH = 'ebbflow.io/unit-template-hash';

export interface EwObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; generation?: number; resourceVersion?: string; labels?: Record<string, string> };
  spec?: ElasticWorkloadSpec;
  status?: EwStatus;
}

export interface EwCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface EwStatus {
  replicas?: number;
  selector?: string;
  observedGeneration?: number;
  sourceTarget?: { apiVersion: string; kind: string; name: string; desiredReplicas: number; updateTimestamp: string };
  elasticUnitsStatus?: { name: string; desiredReplicas: number; updateTimestamp: string }[];
  conditions?: EwCondition[];
}

export function ownerReference(ew: EwObject): V1OwnerReference {
  return {
    apiVersion: `${EW_GROUP}/${EW_VERSION}`,
    kind: EW_KIND,
    name: ew.metadata!.name!,
    uid: ew.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** `app=nginx,tier in (web)` for the scale subresource, from a Deployment selector. */
export function selectorString(sel: V1LabelSelector | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const vals = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function unitTemplate(source: V1Deployment, ewName: string, unit: ElasticUnitSpec): V1PodTemplateSpec {
  const tmpl = source.spec?.template ?? {};
  const spec = { ...(tmpl.spec ?? { containers: [] }) };
  if (unit.nodeSelector) spec.nodeSelector = { ...(spec.nodeSelector ?? {}), ...unit.nodeSelector };
  if (unit.tolerations) spec.tolerations = [...(spec.tolerations ?? []), ...(unit.tolerations as NonNullable<typeof spec.tolerations>)];
  if (unit.affinity) spec.affinity = unit.affinity as typeof spec.affinity;
  return {
    metadata: {
      labels: { ...(tmpl.metadata?.labels ?? {}), ...(unit.labels ?? {}), [LABEL_WORKLOAD]: ewName, [LABEL_UNIT]: unit.name },
      ...(tmpl.metadata?.annotations || unit.annotations ? { annotations: { ...(tmpl.metadata?.annotations ?? {}), ...(unit.annotations ?? {}) } } : {}),
    },
    spec,
  };
}

/** Hash of everything the unit takes from the source and the unit spec, to detect drift. */
export function templateHash(template: V1PodTemplateSpec, selector: V1LabelSelector, extra: object): string {
  return createHash('sha256').update(JSON.stringify([template, selector, extra])).digest('hex').slice(0, 16);
}

export function buildUnitDeployment(ew: EwObject, source: V1Deployment, unit: ElasticUnitSpec, replicas: number): V1Deployment {
  const ewName = ew.metadata!.name!;
  const sourceName = source.metadata!.name!;
  const template = unitTemplate(source, ewName, unit);
  const selector: V1LabelSelector = {
    ...(source.spec?.selector ?? {}),
    matchLabels: { ...(source.spec?.selector?.matchLabels ?? {}), [LABEL_WORKLOAD]: ewName, [LABEL_UNIT]: unit.name },
  };
  const carried = {
    minReadySeconds: source.spec?.minReadySeconds,
    strategy: source.spec?.strategy,
    revisionHistoryLimit: source.spec?.revisionHistoryLimit,
    progressDeadlineSeconds: source.spec?.progressDeadlineSeconds,
  };
  const hash = templateHash(template, selector, carried);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: unitDeploymentName(sourceName, unit.name),
      namespace: source.metadata!.namespace!,
      labels: { ...(source.metadata?.labels ?? {}), ...(unit.labels ?? {}), [LABEL_WORKLOAD]: ewName, [LABEL_UNIT]: unit.name },
      annotations: { [ANNOTATION_TEMPLATE_HASH]: hash },
      ownerReferences: [ownerReference(ew)],
    },
    spec: {
      replicas,
      selector,
      template,
      ...Object.fromEntries(Object.entries(carried).filter(([, v]) => v !== undefined)),
    },
  };
}

/** The owning EW's name when `dep` is a unit Deployment. */
export function unitOwner(dep: V1Deployment): string | undefined {
  return dep.metadata?.ownerReferences?.find((o) => o.kind === EW_KIND && o.apiVersion?.startsWith(`${EW_GROUP}/`))?.name;
}
