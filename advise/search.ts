/**
 * The policy search of `ebbflow advise`, pure: the evaluation of one candidate is injected (the
 * simulator in the command, a closed-form model in the tests), so the pruning is tested against a
 * brute force where the optimum is known.
 *
 * Candidates are the product of the grid's dimensions. A candidate counts as explored when it was
 * simulated or when the search proved it cannot be the answer from what it simulated, under these
 * assumptions (each one what the HPA's arithmetic gives: more replicas cost more and cover more):
 * - for fixed other knobs, a larger target (devices per replica) never costs more and never covers
 *   more, so the passing targets of a row are a prefix and the row's cheapest is the largest target;
 * - a row whose largest target (its cheapest candidate) already costs at least the best found holds
 *   nothing cheaper;
 * - when the run at a row's smallest target (the most replicas) never reached maxReplicas, the
 *   ceiling never bound, and every larger maxReplicas gives the same runs;
 * - within what the pool's nodes hold, a higher ECS tier max never costs more nor covers less
 *   (checked on each pool's answer at the range's other end; the lower maxes are searched when not);
 * - a higher floor, a higher ceiling or a longer scale-down stabilization never costs less (each
 *   only holds more replicas), so once the cheapest corner of what is left — the largest target
 *   with the lowest floor, ceiling and stabilization still to visit — costs at least the best found,
 *   everything left in that direction is proven no cheaper.
 * The monotonicity is checked on each row's ends (the smallest target must cover at least as much
 * as the largest); a row that breaks it is simulated in full instead and counted in `nonMonotone`.
 */

export interface Grid {
  /** Ascending. */
  target: number[];
  minReplicas: number[];
  maxReplicas: number[];
  stabilization: number[];
  sourceMax: number[];
  /** Nodes of the first ECS pool. */
  ecsNodes: number[];
  /** When given, a sourceMax above what the pool's nodes hold (podsPerNode × ecsNodes) is not a candidate: those replicas would only wait Pending. */
  podsPerNode?: number;
}

/** The ECS tier's max values that are candidates with this pool. */
export const sourceMaxesFor = (g: Grid, ecsNodes: number): number[] => (g.podsPerNode === undefined ? g.sourceMax : g.sourceMax.filter((m) => m <= g.podsPerNode! * ecsNodes || m === Math.min(...g.sourceMax)));

export interface Candidate {
  target: number;
  minReplicas: number;
  maxReplicas: number;
  stabilization: number;
  sourceMax: number;
  ecsNodes: number;
}

export interface Outcome {
  cost: number;
  sloCoverage: number;
  /** Every expectation of the scenario held. */
  passed: boolean;
  peakReplicas: number;
}

export type Evaluate = (c: Candidate) => Outcome;

export interface Found {
  candidate: Candidate;
  outcome: Outcome;
}

export interface SearchResult {
  best: Found | null;
  /** The grid's size: every candidate policy. */
  candidates: number;
  /** Simulated or proven not cheaper (see the module's comment). */
  explored: number;
  simulated: number;
  nonMonotone: number;
}

export const gridSize = (g: Grid): number => {
  let rows = 0;
  for (const min of g.minReplicas) rows += g.maxReplicas.filter((m) => m >= min).length;
  const pools = g.ecsNodes.reduce((a, n) => a + sourceMaxesFor(g, n).length, 0);
  return rows * g.target.length * g.stabilization.length * pools;
};

/** A candidate passes when every expectation held and it covers at least `minSlo` percent. */
export const passes = (o: Outcome, minSlo: number): boolean => o.passed && o.sloCoverage >= minSlo;

const better = (a: Found, b: Found | null): boolean => !b || a.outcome.cost < b.outcome.cost || (a.outcome.cost === b.outcome.cost && a.outcome.sloCoverage > b.outcome.sloCoverage);

/**
 * One row of targets (ascending), its ends `lo` (the smallest target) and `hi` simulated: its
 * cheapest passing candidate offered. Answers true when the ends contradict monotonicity, and the
 * row was then simulated in full.
 */
function searchRow(row: (i: number) => Candidate, n: number, run: Evaluate, offer: (c: Candidate, o: Outcome) => void, minSlo: number, hi: Outcome, lo: Outcome): boolean {
  if (lo.sloCoverage < hi.sloCoverage || lo.cost < hi.cost) {
    for (let i = 0; i < n; i++) offer(row(i), run(row(i)));
    return true;
  }
  if (passes(hi, minSlo)) offer(row(n - 1), hi);
  else if (passes(lo, minSlo)) {
    // The largest passing target: lo passes, hi fails.
    let [a, b] = [0, n - 1];
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if (passes(run(row(m)), minSlo)) a = m;
      else b = m;
    }
    offer(row(a), run(row(a)));
  }
  return false;
}

/** Whether the ECS maxes below `top` are dominated: checked on `probe` at the range's other end. */
function lowerMaxesDominated(run: Evaluate, probe: Candidate, lowest: number, minSlo: number): boolean {
  const hiO = run(probe);
  const loO = run({ ...probe, sourceMax: lowest });
  return loO.cost >= hiO.cost && loO.sloCoverage <= hiO.sloCoverage && (passes(hiO, minSlo) || !passes(loO, minSlo));
}

/** The cheapest candidate that passes, pruned as the module's comment says. */
export function search(grid: Grid, evaluate: Evaluate, opts: { minSlo: number; seed?: Found | null; part?: { index: number; of: number } }): SearchResult {
  // The seed (today's policy, when it passes) is the first bound; it is answered when nothing beats it.
  const targets = [...grid.target].sort((a, b) => a - b);
  const maxes = [...grid.maxReplicas].sort((a, b) => a - b);
  let best: Found | null = opts.seed ?? null;
  let explored = 0;
  let simulated = 0;
  let nonMonotone = 0;
  const cache = new Map<string, Outcome>();
  const run = (c: Candidate): Outcome => {
    const k = `${c.target}/${c.minReplicas}/${c.maxReplicas}/${c.stabilization}/${c.sourceMax}/${c.ecsNodes}`;
    let o = cache.get(k);
    if (!o) {
      o = evaluate(c);
      cache.set(k, o);
      simulated++;
    }
    return o;
  };
  const offer = (candidate: Candidate, outcome: Outcome) => {
    if (passes(outcome, opts.minSlo) && better({ candidate, outcome }, best)) best = { candidate, outcome };
  };
  const n = targets.length;
  const mins = [...grid.minReplicas].sort((a, b) => a - b);
  const stabs = [...grid.stabilization].sort((a, b) => a - b);
  const rowsFrom = (minIndex: number): number => mins.slice(minIndex).reduce((a, m) => a + maxes.filter((x) => x >= m).length, 0);
  // Nothing cheaper can lie where the cheapest corner already costs at least the best found.
  const noCheaper = (o: Outcome) => best !== null && o.cost >= best.outcome.cost;
  /** One (pool, ECS max) slice: every stabilization, floor, ceiling and target. */
  const searchSlice = (ecsNodes: number, sourceMax: number): void => {
    for (let si = 0; si < stabs.length; si++) {
      const stabilization = stabs[si]!;
      const at = (target: number, minReplicas: number, maxReplicas: number): Candidate => ({ target, minReplicas, maxReplicas, stabilization, sourceMax, ecsNodes });
      // The slice's cheapest corner: the largest target, the lowest floor and ceiling, the shortest stabilization from here on.
      const m0 = mins[0]!;
      const corner = maxes.find((x) => x >= m0);
      if (corner !== undefined && noCheaper(run(at(targets[n - 1]!, m0, corner)))) {
        explored += (stabs.length - si) * rowsFrom(0) * n;
        break;
      }
      for (let ni = 0; ni < mins.length; ni++) {
        const minReplicas = mins[ni]!;
        const rowMaxes = maxes.filter((m) => m >= minReplicas);
        if (rowMaxes.length && noCheaper(run(at(targets[n - 1]!, minReplicas, rowMaxes[0]!)))) {
          explored += rowsFrom(ni) * n;
          break;
        }
        for (let mi = 0; mi < rowMaxes.length; mi++) {
          const maxReplicas = rowMaxes[mi]!;
          const row = (i: number): Candidate => at(targets[i]!, minReplicas, maxReplicas);
          const hi = run(row(n - 1));
          if (noCheaper(hi) && !passes(hi, opts.minSlo)) {
            // A higher ceiling costs no less: this row and the rest of the floor's rows hold nothing cheaper.
            explored += (rowMaxes.length - mi) * n;
            break;
          }
          const lo = run(row(0));
          // Every larger maxReplicas repeats this row when the most replicas it ran stayed below the ceiling.
          const ceilingIdle = lo.peakReplicas < maxReplicas;
          explored += (ceilingIdle ? rowMaxes.length - mi : 1) * n;
          if (searchRow(row, n, run, offer, opts.minSlo, hi, lo)) nonMonotone++;
          if (ceilingIdle) break;
        }
      }
    }
  };
  const sliceSize = stabs.length * rowsFrom(0) * n;
  let part = -1;
  for (const ecsNodes of grid.ecsNodes) {
    // A part searches every of-th pool: the parts together search the grid once.
    if (opts.part && ++part % opts.part.of !== opts.part.index) continue;
    const sms = [...sourceMaxesFor(grid, ecsNodes)].sort((a, b) => a - b);
    const top = sms[sms.length - 1]!;
    const before = best;
    searchSlice(ecsNodes, top);
    if (sms.length === 1) continue;
    // Within what the pool holds, a higher ECS max moves replicas from paid-by-the-second ECI to nodes
    // paid anyway, which also start faster: never dearer, never covering less. Checked at the other
    // end of the range on the slice's answer (or its dearest corner when it has none) before the
    // lower maxes are counted as explored without a run.
    const probe: Candidate = best !== before && best ? best.candidate : { target: targets[0]!, minReplicas: mins[mins.length - 1]!, maxReplicas: maxes[maxes.length - 1]!, stabilization: stabs[stabs.length - 1]!, sourceMax: top, ecsNodes };
    if (lowerMaxesDominated(run, probe, sms[0]!, opts.minSlo)) {
      explored += (sms.length - 1) * sliceSize;
    } else {
      nonMonotone++;
      for (const sm of sms.slice(0, -1)) searchSlice(ecsNodes, sm);
    }
  }
  return { best, candidates: gridSize(grid), explored, simulated, nonMonotone };
}

/** The parts' results as one search's: each part's bound was a candidate it found, so its proofs hold for the whole. */
export function mergeResults(parts: SearchResult[]): SearchResult {
  let best: Found | null = null;
  for (const p of parts) if (p.best && better(p.best, best)) best = p.best;
  const sum = (k: 'explored' | 'simulated' | 'nonMonotone') => parts.reduce((a, p) => a + p[k], 0);
  return { best, candidates: parts[0]?.candidates ?? 0, explored: sum('explored'), simulated: sum('simulated'), nonMonotone: sum('nonMonotone') };
}

/** Every candidate simulated: the reference the pruned search is tested against. */
export function bruteForce(grid: Grid, evaluate: Evaluate, opts: { minSlo: number }): Found | null {
  let best: Found | null = null;
  for (const ecsNodes of grid.ecsNodes)
  for (const sourceMax of sourceMaxesFor(grid, ecsNodes))
    for (const stabilization of grid.stabilization)
      for (const minReplicas of grid.minReplicas)
        for (const maxReplicas of grid.maxReplicas) {
          if (maxReplicas < minReplicas) continue;
          for (const target of grid.target) {
            const candidate = { target, minReplicas, maxReplicas, stabilization, sourceMax, ecsNodes };
            const outcome = evaluate(candidate);
            const f = { candidate, outcome };
            if (passes(outcome, opts.minSlo) && better(f, best)) best = f;
          }
        }
  return best;
}
