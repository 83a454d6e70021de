import { stringify } from 'yaml';
import { formatQuantity } from '../core/units.ts';
import type { Candidate } from './search.ts';

/** A policy as the patch reads it: the grid's knobs, and the HPA's scale-up tolerance when it is set (null: the flag's). */
type Patched = Candidate & { scaleUpTolerance?: number | null };

/**
 * The recommended change as a kustomize overlay of the team's manifests, pure: RFC 6902 patches on
 * the HPA (floor, ceiling, AverageValue target, scale-down stabilization, scale-up tolerance) and
 * the ElasticWorkload (the ECS tier's max), each only where it differs from `from` (the command passes
 * the manifests' own values: the recommended scenario drops the scenario's overrides); a CronHPA the policy
 * adds is one more resource of the overlay. JSON patches, not strategic merge: an
 * HPA's `metrics` is an atomic list, which a merge patch would replace whole.
 */

interface Obj {
  kind?: string;
  apiVersion?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, unknown>;
}

type Op = { op: 'add' | 'replace'; path: string; value: unknown };

const target = (o: Obj) => ({ kind: o.kind, name: o.metadata?.name, ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}) });

/** The HPA's operations: `add` on a member replaces it and creates it when absent (RFC 6902 §4.1). */
export function hpaOps(hpa: Obj, from: Patched, to: Patched): Op[] {
  const ops: Op[] = [];
  if (to.minReplicas !== from.minReplicas) ops.push({ op: 'add', path: '/spec/minReplicas', value: to.minReplicas });
  if (to.maxReplicas !== from.maxReplicas) ops.push({ op: 'add', path: '/spec/maxReplicas', value: to.maxReplicas });
  if (to.target !== from.target) {
    const metrics = (hpa.spec?.metrics ?? []) as { type?: string }[];
    metrics.forEach((m, i) => {
      const type = m.type ?? 'Object';
      const key = type.charAt(0).toLowerCase() + type.slice(1);
      ops.push({ op: 'replace', path: `/spec/metrics/${i}/${key}/target`, value: { type: 'AverageValue', averageValue: String(to.target) } });
    });
  }
  const behavior = hpa.spec?.behavior as { scaleUp?: Record<string, unknown>; scaleDown?: Record<string, unknown> } | undefined;
  const fields: { dir: 'scaleUp' | 'scaleDown'; key: string; value: unknown }[] = [];
  // The search ran every candidate with the stabilization in the HPA's behavior, so it is written even when the number is today's flag.
  if (behavior?.scaleDown?.stabilizationWindowSeconds !== to.stabilization) fields.push({ dir: 'scaleDown', key: 'stabilizationWindowSeconds', value: to.stabilization });
  // A tolerance is a quantity: written as the API server would print it ("50m").
  if (to.scaleUpTolerance !== undefined && to.scaleUpTolerance !== null && to.scaleUpTolerance !== from.scaleUpTolerance) fields.push({ dir: 'scaleUp', key: 'tolerance', value: formatQuantity(to.scaleUpTolerance) });
  if (fields.length && !behavior) {
    const value: Record<string, Record<string, unknown>> = {};
    for (const f of fields) (value[f.dir] ??= {})[f.key] = f.value;
    ops.push({ op: 'add', path: '/spec/behavior', value });
  } else {
    for (const dir of ['scaleUp', 'scaleDown'] as const) {
      const mine = fields.filter((f) => f.dir === dir);
      if (!mine.length) continue;
      if (!behavior![dir]) ops.push({ op: 'add', path: `/spec/behavior/${dir}`, value: Object.fromEntries(mine.map((f) => [f.key, f.value])) });
      else for (const f of mine) ops.push({ op: 'add', path: `/spec/behavior/${dir}/${f.key}`, value: f.value });
    }
  }
  return ops;
}

export function placementOps(from: Patched, to: Patched): Op[] {
  return to.sourceMax !== from.sourceMax ? [{ op: 'add', path: '/spec/sourceTarget/max', value: to.sourceMax }] : [];
}

/** kustomization.yaml of the overlay: `resources` is the team's kustomize directory, relative to the overlay, and `extra` files beside it (a CronHPA). */
export function kustomization(opts: { resource: string; hpa: Obj; placement?: Obj; from: Patched; to: Patched; extra?: string[] }): string {
  const patches: { target: ReturnType<typeof target>; patch: string }[] = [];
  const h = hpaOps(opts.hpa, opts.from, opts.to);
  if (h.length) patches.push({ target: target(opts.hpa), patch: stringify(h) });
  const p = opts.placement ? placementOps(opts.from, opts.to) : [];
  if (p.length && opts.placement) patches.push({ target: target(opts.placement), patch: stringify(p) });
  const doc = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [opts.resource, ...(opts.extra ?? [])], ...(patches.length ? { patches } : {}) };
  return `# The policy ebbflow advise recommends, as a patch of the manifests named in resources.\n${stringify(doc)}`;
}
