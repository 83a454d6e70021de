import { describeCost, runMeasures, type RunBasis } from '../core/checks/measures.ts';
import type { Timeline } from '../core/timeline/format.ts';

/**
 * The run's figures in one line, the same words in summary.md and report.html: every figure the
 * measure of core/checks/measures.ts with the run's basis (so the slowest reaction here is the one
 * the reactionTime expectation checked), the cost with its currency and period.
 */
export function figuresLine(tl: Timeline, basis: RunBasis): string {
  const { measures: m, cost } = runMeasures(tl, basis);
  const r = m.slowestReaction;
  const reaction = r ? `slowest reaction ${r.seconds.toFixed(0)} s${r.reached ? '' : ' (never reached)'}` : 'no rise of the needed level';
  const parts = [
    `Peak replicas ${m.peakReplicas} (ECS ${m.peakReady.ecs} / ECI ${m.peakReady.eci} ready at the peak)`,
    `SLO coverage ${m.sloCoveragePercent.toFixed(1)}%`,
    `ECI pod-hours ${m.eciPodHours.toFixed(2)}`,
    reaction,
    `direction changes ${m.directionChanges}`,
  ];
  // Money per tier of the placement, in its kind's words (the ECS/ECI split above is by node type).
  const perTier = cost?.perTier?.length ? `; per tier: ${cost.perTier.map((t) => `${t.name} ${t.amount.toFixed(2)}`).join(', ')}` : '';
  return `${parts.join(', ')}.${cost ? ` Cost ${describeCost(cost)}${perTier}; prices: ${cost.region}, ${basis.cost!.prices.source}.` : ''}`;
}
