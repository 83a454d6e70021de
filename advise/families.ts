import { scheduleKind } from '../kinds/registry.ts';
import { controllerTolerance } from '../kinds/scaler/hpa/tolerance.ts';
import type { SystemConfig } from '../simulator/index.ts';
import { applyCandidate } from './evaluate.ts';
import { cronHpaObject, cronJobs, type CronJob, type FloorShape } from './schedule.ts';
import { gridSize, passes, search, sourceMaxesFor, type Candidate, type Found, type Grid, type Outcome, type SearchResult } from './search.ts';

/**
 * The policy families `advise` searches beyond the HPA grid of `search.ts`, pure apart from the
 * evaluation it is given:
 * - `hpa`: the HPA's target, floor, ceiling, scale-down stabilization and ECS tier (`search.ts`), and
 *   the HPA's `behavior.scaleUp.tolerance` (one variant per value; none = the controller's flag);
 * - `hpa+cronhpa`: the same grid with a CronHPA on the HPA whose jobs raise its floor on a schedule
 *   derived from the curve's daily shape (`schedule.ts`, one variant per shape).
 * Each variant is the grid searched with the same proofs (`search.ts`), bounded by the best policy
 * found before it. Between scale-up tolerances one more assumption prunes: a larger scale-up
 * tolerance only delays scale-ups (the HPA keeps its count while the ratio is within 1 + tolerance),
 * so at equal other knobs it never costs more. The variants are searched from the largest tolerance
 * down; with one ECS pool size, once a variant's cheapest corner (the largest target, lowest floor,
 * ceiling and stabilization, the top of the ECS tier) costs at least the best found, and at least the
 * previous variant's corner (the assumption, checked there), every smaller tolerance is counted
 * explored.
 */

export type Family = 'hpa' | 'hpa+cronhpa';

/** One variant of the grid: a scale-up tolerance (undefined: the flag's) and a floor schedule shape. */
export interface Variant {
  family: Family;
  scaleUpTolerance?: number | undefined;
  shape?: FloorShape | undefined;
}

/** A candidate policy of a family: the grid's knobs, the variant's, and the CronHPA jobs it makes. */
export interface Policy extends Candidate {
  family: Family;
  /** The HPA's behavior.scaleUp.tolerance; null: not set (the controller's --horizontal-pod-autoscaler-tolerance). */
  scaleUpTolerance: number | null;
  /** The CronHPA's jobs (family hpa+cronhpa): raise the HPA's floor, hand it back. */
  cronJobs?: CronJob[];
  /** The schedule shape they come from. */
  shape?: string;
}

export const policyOf = (v: Variant, c: Candidate): Policy => ({
  ...c,
  family: v.family,
  scaleUpTolerance: v.scaleUpTolerance ?? null,
  ...(v.shape ? { cronJobs: cronJobs(v.shape, c.minReplicas, c.maxReplicas), shape: v.shape.name } : {}),
});

/**
 * The system with a family's candidate applied: the grid's knobs (`applyCandidate`), the scale-up
 * tolerance in the HPA's behavior, and the CronHPA on the HPA, run through the CronHPA kind's
 * simulation (the path `simulate` takes for manifests holding one), its jobs read in `timeZone`.
 */
export function applyPolicy(sys: SystemConfig, p: Policy, opts: { timeZone: string; hpa: { name: string; namespace?: string | undefined } }): SystemConfig {
  const s = applyCandidate(sys, p);
  if (p.scaleUpTolerance !== null) {
    const b = s.hpa.behavior ?? {};
    // As the controller reads the quantity the patch writes.
    s.hpa = { ...s.hpa, behavior: { ...b, scaleUp: { ...(b.scaleUp ?? {}), tolerance: controllerTolerance(p.scaleUpTolerance) } } };
  }
  if (p.cronJobs?.length) {
    const kind = scheduleKind('CronHorizontalPodAutoscaler');
    const object = cronHpaObject(opts.hpa, p.cronJobs);
    s.schedule = { kind: kind.kind, spec: kind.model(object, 'advise', opts.timeZone), object, timeZone: opts.timeZone };
  }
  return s;
}

export type EvaluateVariant = (v: Variant, c: Candidate) => Outcome;

export interface FamilyFound {
  policy: Policy;
  outcome: Outcome;
}

export interface FamiliesResult {
  best: FamilyFound | null;
  candidates: number;
  explored: number;
  simulated: number;
  nonMonotone: number;
  /** Per family: candidates, explored, simulated. */
  families: Record<string, { candidates: number; explored: number; simulated: number }>;
}

/** The variants in the order searched: tolerances from the largest down (the pruning above needs it), then the schedule shapes. */
export function orderVariants(vs: Variant[]): Variant[] {
  return [...vs].sort((a, b) => (a.shape ? 1 : 0) - (b.shape ? 1 : 0) || (b.scaleUpTolerance ?? Infinity) - (a.scaleUpTolerance ?? Infinity));
}

/** The cheapest corner of the grid (see the module's comment). */
const cornerOf = (g: Grid): Candidate => {
  const min = Math.min(...g.minReplicas);
  const ecsNodes = g.ecsNodes[0]!;
  return { target: Math.max(...g.target), minReplicas: min, maxReplicas: Math.min(...g.maxReplicas.filter((m) => m >= min)), stabilization: Math.min(...g.stabilization), sourceMax: Math.max(...sourceMaxesFor(g, ecsNodes)), ecsNodes };
};

const better = (a: Outcome, b: Outcome | undefined): boolean => !b || a.cost < b.cost || (a.cost === b.cost && a.sloCoverage > b.sloCoverage);

/** Every variant's grid searched with `search`, the best so far as each one's bound. */
export function searchFamilies(grid: Grid, variants: Variant[], evaluate: EvaluateVariant, opts: { minSlo: number; seed?: FamilyFound | null }): FamiliesResult {
  let best: FamilyFound | null = opts.seed ?? null;
  const size = gridSize(grid);
  const families: FamiliesResult['families'] = {};
  const totals = { explored: 0, simulated: 0, nonMonotone: 0 };
  const count = (f: Family, r: Pick<SearchResult, 'explored' | 'simulated'>) => {
    const x = (families[f] ??= { candidates: 0, explored: 0, simulated: 0 });
    x.explored += r.explored;
    x.simulated += r.simulated;
    totals.explored += r.explored;
    totals.simulated += r.simulated;
  };
  const ordered = orderVariants(variants);
  for (const v of ordered) (families[v.family] ??= { candidates: 0, explored: 0, simulated: 0 }).candidates += size;
  let lastCorner: Outcome | undefined;
  for (let i = 0; i < ordered.length; i++) {
    const v = ordered[i]!;
    // Fewer ECS nodes are not always cheaper (their load goes to ECI): the corner is one only with one pool size.
    if (!v.shape && v.scaleUpTolerance !== undefined && grid.ecsNodes.length === 1) {
      const corner = evaluate(v, cornerOf(grid));
      count(v.family, { explored: 0, simulated: 1 });
      if (best && corner.cost >= best.outcome.cost && lastCorner && corner.cost >= lastCorner.cost) {
        // This and every smaller tolerance left: no cheaper (the assumption held at the corners).
        const rest = ordered.slice(i).filter((x) => !x.shape && x.scaleUpTolerance !== undefined);
        for (const x of rest) count(x.family, { explored: size, simulated: 0 });
        i += rest.length - 1;
        continue;
      }
      if (lastCorner && corner.cost < lastCorner.cost) totals.nonMonotone++;
      lastCorner = corner;
    }
    const seed: Found | null = best ? { candidate: best.policy, outcome: best.outcome } : null;
    const r = search(grid, (c) => evaluate(v, c), { minSlo: opts.minSlo, seed });
    count(v.family, r);
    totals.nonMonotone += r.nonMonotone;
    // The seed comes back when nothing in this variant beat it: only a new candidate is this variant's.
    if (r.best && r.best !== seed && passes(r.best.outcome, opts.minSlo) && better(r.best.outcome, best?.outcome)) best = { policy: policyOf(v, r.best.candidate), outcome: r.best.outcome };
  }
  return { best, candidates: size * ordered.length, ...totals, families };
}

/** Every variant's every candidate evaluated: the reference `searchFamilies` is tested against. */
export function bruteForceFamilies(grid: Grid, variants: Variant[], evaluate: EvaluateVariant, opts: { minSlo: number }): FamilyFound | null {
  let best: FamilyFound | null = null;
  for (const v of variants) {
    for (const ecsNodes of grid.ecsNodes)
      for (const sourceMax of sourceMaxesFor(grid, ecsNodes))
        for (const stabilization of grid.stabilization)
          for (const minReplicas of grid.minReplicas)
            for (const maxReplicas of grid.maxReplicas) {
              if (maxReplicas < minReplicas) continue;
              for (const target of grid.target) {
                const c = { target, minReplicas, maxReplicas, stabilization, sourceMax, ecsNodes };
                const o = evaluate(v, c);
                if (passes(o, opts.minSlo) && better(o, best?.outcome)) best = { policy: policyOf(v, c), outcome: o };
              }
            }
  }
  return best;
}

/** The parts' results as one: each part's bound was a policy it found or the seed, so its proofs hold for the whole. */
export function mergeFamilies(parts: FamiliesResult[]): FamiliesResult {
  let best: FamilyFound | null = null;
  const families: FamiliesResult['families'] = {};
  for (const p of parts) {
    if (p.best && better(p.best.outcome, best?.outcome)) best = p.best;
    for (const [k, v] of Object.entries(p.families)) {
      const x = (families[k] ??= { candidates: 0, explored: 0, simulated: 0 });
      x.candidates += v.candidates;
      x.explored += v.explored;
      x.simulated += v.simulated;
    }
  }
  const sum = (k: 'candidates' | 'explored' | 'simulated' | 'nonMonotone') => parts.reduce((a, p) => a + p[k], 0);
  return { best, candidates: sum('candidates'), explored: sum('explored'), simulated: sum('simulated'), nonMonotone: sum('nonMonotone'), families };
}
