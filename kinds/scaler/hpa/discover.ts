import YAML from 'yaml';
import { UserError } from '../../../core/errors.ts';
import { idOf, specOf, type DiscoveryContext } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { DiscoveredScaler } from '../../model/scaler.ts';

/**
 * The HPA among a team's manifests: exactly one `HorizontalPodAutoscaler`. `autoscaling/v2` as is;
 * the removed v2beta1 converted field by field as the API server did, v2beta2 relabelled, each with
 * a warning that prints the converted YAML; anything else is refused.
 */
export function discoverHpa(ctx: DiscoveryContext): DiscoveredScaler | undefined {
  const hpas = ctx.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
  if (!hpas.length) return undefined;
  if (hpas.length > 1) {
    throw new UserError(`${ctx.where}: ${hpas.length} HorizontalPodAutoscalers found (${hpas.map((h) => `${idOf(h)} in ${ctx.fileOf(h)}`).join(', ')}); a run models one`, 'point --manifests at a kustomize overlay or file with the one HPA to test');
  }
  const original = hpas[0]!;
  const object = asV2(original, ctx);
  return { object, original, target: (specOf(object).scaleTargetRef ?? {}) as DiscoveredScaler['target'], services: describedServices(object) };
}

function asV2(h: KubeObject, ctx: DiscoveryContext): KubeObject {
  if (h.apiVersion === 'autoscaling/v2') return h;
  if (h.apiVersion === 'autoscaling/v2beta1' || h.apiVersion === 'autoscaling/v2beta2') {
    const v2 = convertHpaToV2(h, ctx.fileOf(h));
    ctx.warnings.push(`${ctx.fileOf(h)}: ${idOf(h)} is ${h.apiVersion}, which Kubernetes removed in 1.26 (kubectl apply fails with "no matches for kind"); ran it converted to autoscaling/v2 — put this in your manifests:\n${YAML.stringify(v2).trimEnd()}`);
    return v2;
  }
  throw new UserError(`${ctx.fileOf(h)}: ${idOf(h)}: apiVersion ${h.apiVersion} is not autoscaling/v2 (or the removed v2beta1/v2beta2 this tool converts)`, 'use apiVersion: autoscaling/v2');
}

/** The Services its Object metrics describe. */
function describedServices(hpa: KubeObject): string[] {
  const metrics = (specOf(hpa).metrics ?? []) as { type?: string; object?: { describedObject?: { kind?: string; name?: string } } }[];
  return [...new Set(metrics.filter((m) => m.type === 'Object' && m.object?.describedObject?.kind === 'Service').map((m) => m.object!.describedObject!.name!))];
}

type V2beta1Metric = {
  type: string;
  object?: { target?: { apiVersion?: string; kind?: string; name?: string }; metricName?: string; targetValue?: string | number; averageValue?: string | number; selector?: object };
  pods?: { metricName?: string; targetAverageValue?: string | number; selector?: object };
  resource?: { name?: string; targetAverageUtilization?: number; targetAverageValue?: string | number };
  external?: { metricName?: string; metricSelector?: object; targetValue?: string | number; targetAverageValue?: string | number };
};

const target = (value: string | number | undefined, average: string | number | undefined) =>
  value !== undefined ? { type: 'Value', value: String(value) } : { type: 'AverageValue', averageValue: String(average) };

/** autoscaling/v2beta1 (or v2beta2, already v2-shaped) → autoscaling/v2, field by field as the API server converts it. */
export function convertHpaToV2(h: KubeObject, file: string): KubeObject {
  const out = structuredClone(h);
  out.apiVersion = 'autoscaling/v2';
  if (h.apiVersion !== 'autoscaling/v2beta1') return out;
  const metrics = (specOf(h).metrics ?? []) as V2beta1Metric[];
  (out.spec as Record<string, unknown>).metrics = metrics.map((m, i) => {
    const bad = (field: string) => new UserError(`${file}: ${idOf(h)}: spec.metrics[${i}]: ${field} is missing`, 'the v2beta1 fields are metricName and targetValue/targetAverageValue');
    if (m.type === 'Object' && m.object) {
      const o = m.object;
      if (!o.metricName) throw bad('object.metricName');
      if (o.targetValue === undefined && o.averageValue === undefined) throw bad('object.targetValue');
      // As the API server converted it: an averageValue makes it an AverageValue target, targetValue alone a Value one.
      const t = o.averageValue !== undefined ? { type: 'AverageValue', averageValue: String(o.averageValue) } : { type: 'Value', value: String(o.targetValue) };
      return { type: 'Object', object: { describedObject: { apiVersion: o.target?.apiVersion ?? 'v1', kind: o.target?.kind, name: o.target?.name }, metric: { name: o.metricName, ...(o.selector ? { selector: o.selector } : {}) }, target: t } };
    }
    if (m.type === 'Pods' && m.pods) {
      if (!m.pods.metricName) throw bad('pods.metricName');
      return { type: 'Pods', pods: { metric: { name: m.pods.metricName, ...(m.pods.selector ? { selector: m.pods.selector } : {}) }, target: { type: 'AverageValue', averageValue: String(m.pods.targetAverageValue) } } };
    }
    if (m.type === 'Resource' && m.resource) {
      const r = m.resource;
      return { type: 'Resource', resource: { name: r.name, target: r.targetAverageUtilization !== undefined ? { type: 'Utilization', averageUtilization: r.targetAverageUtilization } : { type: 'AverageValue', averageValue: String(r.targetAverageValue) } } };
    }
    if (m.type === 'External' && m.external) {
      const e = m.external;
      if (!e.metricName) throw bad('external.metricName');
      return { type: 'External', external: { metric: { name: e.metricName, ...(e.metricSelector ? { selector: e.metricSelector } : {}) }, target: target(e.targetValue, e.targetAverageValue) } };
    }
    throw new UserError(`${file}: ${idOf(h)}: spec.metrics[${i}].type "${m.type}" with no matching field`, 'each metric needs the field named by its type (object, pods, resource or external)');
  });
  return out;
}
