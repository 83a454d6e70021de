import type { ScheduleKind } from '../../model/scaler.ts';
import { CronHpaControllerComponent } from './controller.ts';
import { CRONHPA_KIND, discoverCronHpa } from './discover.ts';
import { CronHpaSimulation, numericCronHpa, type CronHpaModel } from './model.ts';

/**
 * ACK's CronHPA (`CronHorizontalPodAutoscaler`): found beside the HPA it edits (or the workload it
 * sets), modelled in the simulator over the HPA's simulation with the controller's own rules, and
 * run in a replay by the controller of `cluster/cronhpa` on the virtual clock.
 */
export const cronHpa: ScheduleKind<CronHpaModel> = {
  kind: CRONHPA_KIND,
  discover: discoverCronHpa,
  model: numericCronHpa,
  simulation: (spec, inner, bounds) => new CronHpaSimulation(spec, inner, bounds),
  describe: (m) => `CronHPA ${m.name} on the ${m.target === 'scaler' ? 'HPA' : 'workload'}: ${m.jobs.map((j) => `${j.name} "${j.schedule.source}" → ${j.targetSize}${j.runOnce ? ' (once)' : ''}`).join(', ')}${m.excludeDates.length ? `; excluded: ${m.excludeDates.join(', ')}` : ''} (${m.timeZone})`,
  components: (ctx) => [new CronHpaControllerComponent(ctx)],
};

export { CronHpaSimulation, numericCronHpa, type CronHpaModel } from './model.ts';
