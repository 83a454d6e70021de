import type { Component } from '../../../core/component.ts';
import type { ReplayContext } from '../../../kinds/model/replay.ts';
import { placementKind, scalerKind, scheduleKind } from '../../../kinds/registry.ts';
import type { ReplayPlan } from '../plan.ts';

/**
 * What scales, places and schedules the workload's replicas, as every backend starts it: the
 * scaler kind's components (KEDA's operator and metrics apiserver for a ScaledObject; none for an
 * HPA, kube-controller-manager is its controller), the placement
 * kind's components (the ElasticWorkload's CRD and controller; none for a Deployment the HPA
 * scales itself) and a schedule kind's beside the HPA (the CronHPA's CRD and controller, on the
 * run's virtual clock, in the scenario's time zone). The one place that chooses them.
 */
export function placementComponents(plan: ReplayPlan, o: Omit<ReplayContext, 'namespace'>): Component[] {
  const placement = plan.system.placement;
  const ctx = { ...o, namespace: plan.namespace };
  const schedule = plan.system.schedule;
  return [
    ...scalerKind(plan.system.scaler).components(ctx),
    ...placementKind(placement.kind).components(placement, ctx),
    ...(schedule ? scheduleKind(schedule.kind).components({ kubeConfig: o.kubeConfig, namespace: plan.namespace, logger: o.logger, clock: plan.clock, timeZone: schedule.timeZone }) : []),
  ];
}

/**
 * The placement kind's components alone, without the scaler's or a schedule's: what the existing
 * backend brings for an ElasticWorkload when the cluster has no controller of its own (it never
 * starts KEDA or OpenKruise there).
 */
export function placementOnlyComponents(plan: ReplayPlan, o: Omit<ReplayContext, 'namespace'>): Component[] {
  const placement = plan.system.placement;
  return placementKind(placement.kind).components(placement, { ...o, namespace: plan.namespace });
}

/**
 * The placement's components start the cluster's scheduler (a ResourcePolicy's kube-scheduler with
 * its plugin): the local backend starts its cluster without kwokctl's, the kind backend stops kind's
 * once the node is up; the existing backend refuses the run (never a scheduler of a cluster it did not create).
 */
export function placementReplacesScheduler(plan: ReplayPlan): boolean {
  return placementKind(plan.system.placement.kind).replacesScheduler === true;
}
