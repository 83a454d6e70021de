export { startController, processItem, type ControllerOptions, type RunningController, type ReconcileResult, type ReconcileOutcome } from './controller.ts';
export { syncElasticWorkload, SyncError, type SyncDeps, type SyncResult, type EwListers, type EwWriters, type EwEventRecorder } from './sync.ts';
export { installCrd, applyCrd, readCrd, CRD_FILE, CRD_NAME } from './crd.ts';
export { computeSplit, stageApply, validateSpec, unitDeploymentName, type ElasticWorkloadSpec, type ElasticUnitSpec, type Split } from './split.ts';
export { EW_GROUP, EW_VERSION, EW_PLURAL, EW_KIND, LABEL_UNIT, LABEL_WORKLOAD, type EwObject, type EwStatus } from './unit.ts';
