import type { Scenario } from '../scenarios/index.ts';
import { applyConfig, type SystemConfig } from '../simulator/index.ts';
import { runConfig } from '../simulator/whatif-run.ts';
import { UserError } from '../core/errors.ts';
import type { Candidate, Grid, Outcome } from './search.ts';

/**
 * A candidate policy on the team's system, and its evaluation by the simulator path `whatif` uses
 * (`runConfig`: the summary, and the scenario's expectations judged on the timeline).
 */

/**
 * The system with a candidate applied. The scale-down stabilization is the HPA's own
 * `behavior.scaleDown.stabilizationWindowSeconds` (what the patch writes), not the controller
 * manager's flag: a team changes its manifests, not the cluster's flags.
 */
export function applyCandidate(sys: SystemConfig, c: Candidate): SystemConfig {
  const s = applyConfig(sys, { target: c.target, minReplicas: c.minReplicas, maxReplicas: c.maxReplicas, sourceMax: c.sourceMax, ecsNodes: c.ecsNodes });
  const b = sys.hpa.behavior;
  s.hpa = { ...s.hpa, behavior: { ...(b ?? {}), scaleDown: { ...(b?.scaleDown ?? {}), stabilizationWindowSeconds: c.stabilization } } };
  return s;
}

/** The policy the manifests hold now, in the search's terms. */
export function currentCandidate(sys: SystemConfig): Candidate {
  const m = sys.hpa.metrics;
  if (m.length !== 1 || m[0]!.type !== 'AverageValue') {
    throw new UserError(`advise searches one AverageValue target (devices per replica); the HPA has ${m.map((x) => x.type).join(', ') || 'no metric'}`, 'give the HPA one Object metric with target type AverageValue (ebbflow lint says why a Value target on a device count misleads)');
  }
  const first = sys.placement.tiers[0];
  return {
    target: m[0]!.target,
    minReplicas: sys.hpa.minReplicas,
    maxReplicas: sys.hpa.maxReplicas,
    stabilization: sys.hpa.behavior?.scaleDown?.stabilizationWindowSeconds ?? sys.flags.downscaleStabilizationSeconds,
    sourceMax: sys.placement.tiers.length > 1 && first?.max !== undefined ? first.max : 0,
    ecsNodes: sys.nodes.ecs[0]?.count ?? 0,
  };
}

export function outcomeOf(scenario: Scenario, sys: SystemConfig, opts: { days?: number }): Outcome {
  const r = runConfig(scenario, sys, opts.days !== undefined ? { days: opts.days } : {});
  return { cost: r.summary.costTotal, sloCoverage: r.summary.sloCoveragePercent, passed: r.expectations.every((v) => v !== false), peakReplicas: r.summary.peakReplicas };
}

const range = (a: number, b: number, step: number): number[] => Array.from({ length: Math.floor((b - a) / step + 1e-9) + 1 }, (_, i) => Number((a + i * step).toFixed(6)));

/**
 * The grid searched, around the current policy: targets from 40 % to 300 % of today's in 0.5 % steps
 * of it, floors from 1 to twice today's max, ceilings up to three times it, stabilization 0–15 min
 * by a minute, the ECS tier's max from 0 to what today's nodes could hold, and the first ECS pool from 0 nodes to today's. `size` scales it down for tests.
 */
export function defaultGrid(current: Candidate, opts: { podsPerNode: number; hasOverflowTier: boolean; size?: 'full' | 'small' }): Grid {
  const small = opts.size === 'small';
  const t = current.target;
  // Half a percent of today's target: the binary search makes a fine target nearly free.
  const step = Math.max(1, Math.round(t / (small ? 10 : 200)));
  const maxCeil = Math.max(current.maxReplicas * 3, current.maxReplicas + 4);
  return {
    target: range(Math.max(step, Math.round(t * 0.4)), Math.round(t * 3), step),
    minReplicas: range(1, Math.max(current.minReplicas, small ? 3 : Math.ceil(current.maxReplicas / 2)), 1),
    maxReplicas: range(Math.max(1, Math.ceil(current.maxReplicas / 2)), maxCeil, small ? 4 : 1),
    stabilization: small ? [0, 300] : range(0, 900, 60),
    sourceMax: opts.hasOverflowTier ? range(0, Math.max(current.sourceMax, opts.podsPerNode * current.ecsNodes), 1) : [current.sourceMax],
    // Fewer nodes than today down to none; more only add a fixed cost where the overflow tier can take the load.
    ecsNodes: opts.hasOverflowTier ? range(0, current.ecsNodes, 1) : [current.ecsNodes],
    ...(opts.hasOverflowTier ? { podsPerNode: opts.podsPerNode } : {}),
  };
}
