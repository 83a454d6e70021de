import { startRecorder, type Recorder, type RecorderOptions } from '../../recorder/recorder.ts';
import type { TimelineRecord } from '../../../core/timeline/format.ts';
import type { Component } from '../../../core/component.ts';
import { placementKind } from '../../../kinds/registry.ts';
import type { ReplayPlan } from '../plan.ts';
import type { Pipeline } from '../warmup.ts';

/** The recorder watching the HPA, the ElasticWorkload, Deployments, Pods and Nodes. */
export class RecorderComponent implements Component {
  readonly name = 'recorder';
  private recorder: Recorder | undefined;

  constructor(private readonly opts: () => RecorderOptions) {}

  async start(): Promise<void> {
    this.recorder = await startRecorder(this.opts());
  }

  /** Every scheduled sample that came due; the replay calls it around a jump to the next window. */
  sampleDue(): void {
    this.recorder?.sampleDue();
  }

  async stop(): Promise<void> {
    await this.recorder?.stop();
  }
}

/** The recorder of a replay: its namespace, HPA and ElasticWorkload (or, without one, the Deployment the HPA scales directly), on the plan's clock. */
export function recorderFor(p: Pipeline, plan: ReplayPlan, write: (r: TimelineRecord) => void): RecorderComponent {
  const s = plan.scenario;
  return new RecorderComponent(() => ({
    kubeConfig: p.cluster.kubeConfig,
    namespace: plan.namespace,
    hpaName: plan.hpaName,
    ewName: plan.ew?.metadata.name ?? plan.system.ew.sourceTarget.name,
    ...(plan.ew ? {} : { direct: true }),
    sourceName: plan.system.ew.sourceTarget.name,
    // The placement kind says which Deployments are its tiers (a UnitedDeployment's have generated names).
    view: placementKind(plan.system.placement.kind).recorderView(plan.system.placement),
    virtualNode: p.cluster.virtualNode,
    clock: plan.clock,
    devices: plan.devices,
    devicesPerReplica: s.devicesPerReplica,
    sampleEverySeconds: s.sampleEverySeconds,
    windows: plan.windows,
    write,
  }));
}
