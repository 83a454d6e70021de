import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Component } from '../../../core/component.ts';
import { placementKind } from '../../../kinds/registry.ts';
import type { ReplayPlan } from '../plan.ts';

/**
 * What places the workload's replicas, as every backend starts it: the placement kind's components
 * (the ElasticWorkload's CRD and controller; none for a Deployment the HPA scales itself). The one
 * place that chooses them.
 */
export function placementComponents(plan: ReplayPlan, o: { kubeConfig: () => KubeConfig; logger?: Logger }): Component[] {
  const placement = plan.system.placement;
  return placementKind(placement.kind).components(placement, { kubeConfig: o.kubeConfig, namespace: plan.namespace, logger: o.logger });
}
