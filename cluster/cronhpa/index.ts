export { startController, scaleApi, type ControllerOptions, type RunningController } from './controller.ts';
export { installCrd, readCrd, CRD_FILE, CRD_NAME } from './crd.ts';
export { CronEngine, type EngineClock } from './engine.ts';
export { runJob, jobFactory, isRunOnce, type CronHpaJob, type ScaleApi, type HpaObject } from './job.ts';
export { reconcileCronHpa, handleJobResult, CronManager, type SyncDeps, type SyncResult } from './sync.ts';
export { isTodayOff, planHpaEdit, planPlainScale, type HpaEdit, type HpaState } from './rules.ts';
export { parseSchedule, nextFire, checkTimeZone, wallTime, ScheduleError, type CronSchedule } from './schedule.ts';
export * from './types.ts';
