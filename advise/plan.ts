import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeOutputFile } from '../core/files.ts';
import type { Scenario } from '../scenarios/index.ts';
import type { SystemManifests } from '../kinds/system.ts';
import type { SystemConfig } from '../simulator/index.ts';
import { applyPolicy, type FamiliesResult, type Family, type FamilyFound, type Policy, type Variant } from './families.ts';
import { familiesInWorkers } from './parallel.ts';
import type { DayData } from './days.ts';
import { cronHpaObject, describeJobs, floorShapes, hourlyNeed, leadSeconds } from './schedule.ts';
import type { Candidate, Grid, SearchResult } from './search.ts';
import { scaleUpTolerances } from './tolerance.ts';

/**
 * The families' part of `ebbflow advise`, after the HPA grid's search (`search.ts` in workers): the
 * scale-up tolerances and the CronHPA floor schedules (`families.ts`), each on the ECS pool size and
 * the scale-down stabilization the grid's answer chose (target, floor, ceiling and the tier's max
 * searched again), bounded by that answer; the counts of both
 * searches as one, by family; and the CronHPA file of the overlay.
 */

type Counts = FamiliesResult['families'];

export interface FamilyPlan {
  /** Today's policy in the families' terms. */
  current: Policy;
  best: FamilyFound | null;
  result: SearchResult & { families: Counts };
  /** Writes `cronhpa.yaml` into the overlay when the policy has a CronHPA: the overlay's extra resources. */
  writeCronHpa(overlayDir: string, p: Policy | undefined): string[];
  describe(p: Policy): string;
  /** A policy applied to a system as the search evaluated it. */
  apply(sys: SystemConfig, p: Policy): SystemConfig;
}

export async function searchFamilyVariants(o: { scenario: Scenario; base: SystemConfig; manifests: SystemManifests; current: Candidate; grid: Grid; first: SearchResult; minSlo: number; growth?: number; workers?: number; days?: DayData[] | undefined; log: (m: string) => void }): Promise<FamilyPlan> {
  const { base, scenario } = o;
  const todayTolerance = base.hpa.behavior?.scaleUp?.tolerance ?? null;
  // A CronHPA already in the manifests stays as it is (the HPA family runs with it); no second one is proposed.
  const family: Family = base.schedule ? 'hpa+cronhpa' : 'hpa';
  const current: Policy = { ...o.current, family, scaleUpTolerance: todayTolerance };
  const timeZone = scenario.timezone ?? 'UTC';
  const hpa = { name: o.manifests.hpa.metadata.name, namespace: o.manifests.hpa.metadata.namespace };
  const shapes = base.schedule ? [] : floorShapes(hourlyNeed(scenario.curve, base.devicesPerReplica, leadSeconds(base)));
  const variants: Variant[] = [...scaleUpTolerances(todayTolerance ?? base.flags.tolerance).map((t) => ({ family, scaleUpTolerance: t })), ...shapes.map((shape) => ({ family: 'hpa+cronhpa' as const, shape }))];
  const first: FamilyFound | null = o.first.best ? { policy: { ...o.first.best.candidate, family, scaleUpTolerance: todayTolerance }, outcome: o.first.best.outcome } : null;
  const counts: Counts = { [family]: { candidates: o.first.candidates, explored: o.first.explored, simulated: o.first.simulated } };
  let best = first;
  let fam: FamiliesResult | undefined;
  if (variants.length) {
    const anchor = o.first.best?.candidate ?? o.current;
    // The variants run on the answer's pool size and scale-down stabilization (each variant a grid of its own: searching those again for every one would multiply the search by their count).
    const grid: Grid = { ...o.grid, ecsNodes: [anchor.ecsNodes], stabilization: [anchor.stabilization] };
    o.log(`searching ${variants.length - shapes.length} scale-up tolerances and ${shapes.length} CronHPA schedules at ${anchor.ecsNodes} ECS node(s) and a ${anchor.stabilization} s scale-down stabilization...\n`);
    fam = await familiesInWorkers({ file: scenario.file, manifests: o.manifests, ...(scenario.cost ? { cost: scenario.cost } : {}), ...(o.growth !== undefined ? { growth: o.growth } : {}), grid, minSlo: o.minSlo, variants, familySeed: first, timeZone, hpa, ...(o.workers !== undefined ? { workers: o.workers } : {}), ...(o.days ? { days: o.days } : {}) });
    if (fam.best) best = fam.best;
    for (const [k, v] of Object.entries(fam.families)) {
      const x = (counts[k] ??= { candidates: 0, explored: 0, simulated: 0 });
      x.candidates += v.candidates;
      x.explored += v.explored;
      x.simulated += v.simulated;
    }
  }
  const result = {
    best: best ? { candidate: best.policy, outcome: best.outcome } : null,
    candidates: o.first.candidates + (fam?.candidates ?? 0),
    explored: o.first.explored + (fam?.explored ?? 0),
    simulated: o.first.simulated + (fam?.simulated ?? 0),
    nonMonotone: o.first.nonMonotone + (fam?.nonMonotone ?? 0),
    families: counts,
  };
  return {
    current,
    best,
    result,
    writeCronHpa(overlayDir, p) {
      if (!p?.cronJobs?.length) return [];
      const header = `# The CronHPA ebbflow advise recommends: it raises the HPA's floor ahead of the daily rise and hands it back (${timeZone}).\n`;
      writeOutputFile(join(overlayDir, 'cronhpa.yaml'), header + stringify(cronHpaObject(hpa, p.cronJobs)));
      return ['cronhpa.yaml'];
    },
    describe: (p) => describeJobs(p.cronJobs ?? [], timeZone, p.minReplicas),
    apply: (sys, p) => applyPolicy(sys, p, { timeZone, hpa }),
  };
}
