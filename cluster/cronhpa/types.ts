/**
 * The CronHorizontalPodAutoscaler API as upstream declares it
 * (pkg/apis/autoscaling/v1beta1/cronhorizontalpodautoscaler_types.go at 31c63bed): field names and
 * the job states are the wire format, kept exactly.
 */

export const CRONHPA_GROUP = 'autoscaling.alibabacloud.com';
export const CRONHPA_VERSION = 'v1beta1';
export const CRONHPA_PLURAL = 'cronhorizontalpodautoscalers';
export const CRONHPA_KIND = 'CronHorizontalPodAutoscaler';

export interface ScaleTargetRef {
  apiVersion: string;
  kind: string;
  name: string;
}

export interface CronJobSpec {
  name: string;
  schedule: string;
  runOnce?: boolean;
  targetSize: number;
}

export interface CronHpaSpec {
  excludeDates?: string[];
  scaleTargetRef: ScaleTargetRef;
  jobs: CronJobSpec[];
}

/** types.go `JobState`. */
export type JobState = 'Succeed' | 'Failed' | 'Submitted';

/** types.go `Condition`: one per job, keyed by name; `jobId` changes whenever the job is resubmitted. */
export interface JobCondition {
  name: string;
  jobId: string;
  schedule: string;
  targetSize: number;
  runOnce: boolean;
  state: JobState;
  lastProbeTime: string;
  message: string;
}

export interface CronHpaStatus {
  scaleTargetRef?: Partial<ScaleTargetRef>;
  excludeDates?: string[];
  conditions?: JobCondition[];
}

export interface CronHpaObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; generation?: number; resourceVersion?: string; labels?: Record<string, string> };
  spec?: CronHpaSpec;
  status?: CronHpaStatus;
}

export const keyOf = (o: { metadata?: { namespace?: string; name?: string } }) => `${o.metadata?.namespace}/${o.metadata?.name}`;
