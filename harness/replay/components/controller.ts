import type { Component } from '../../../core/component.ts';
import type { ReplayContext } from '../../../kinds/model/replay.ts';
import { placementKind } from '../../../kinds/registry.ts';
import type { ReplayPlan } from '../plan.ts';

/**
 * What places the workload's replicas, as every backend starts it: the placement kind's components
 * (the ElasticWorkload's CRD and controller; none for a Deployment the HPA scales itself). The one
 * place that chooses them.
 */
export function placementComponents(plan: ReplayPlan, o: Omit<ReplayContext, 'namespace'>): Component[] {
  const placement = plan.system.placement;
  return placementKind(placement.kind).components(placement, { ...o, namespace: plan.namespace });
}
