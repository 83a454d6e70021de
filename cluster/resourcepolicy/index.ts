export { startDeletionCostController, type DeletionCostController } from './controller.ts';
export { costPatches, type PodView } from './costs.ts';
export { installResourcePolicyCrd, schedulerConfiguration, startResourcePolicyScheduler, PLUGIN, PLUGIN_WEIGHT, REPLACED_PLUGIN, SCHEDULER_BINARY, type RunningScheduler } from './scheduler.ts';
export { deletionCost, DELETION_COST, RP_GROUP, RP_KIND, RP_PLURAL, RP_VERSION, selectsLabels, unitOfNode, VIRTUAL_NODE_LABEL, type ResourcePolicySpec, type ResourcePolicyUnit, type UnitResource } from './spec.ts';
