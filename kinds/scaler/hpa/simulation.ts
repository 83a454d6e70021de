import type { ScalerSimulation } from '../../model/scaler.ts';
import { newHpaState, reconcile, settleReplicas, simulatorInput, type HpaInput, type HpaSpec } from './model.ts';
import type { KcmFlags } from './resolve.ts';

/**
 * The HPA's simulation for event and fixed stepping: `reconcile` on a plain history, the reference.
 * Precomputed stepping runs `HpaRun` (`model.ts`), which implements the same interface itself.
 */
export class ReferenceHpaSimulation implements ScalerSimulation {
  rescale = false;
  readonly quietNeedsReady = false;
  private readonly state = newHpaState();
  /** One input object per run: `reconcile` keeps nothing of it. */
  private readonly input: HpaInput;

  constructor(private readonly spec: HpaSpec, private readonly flags: KcmFlags) {
    this.input = { now: 0, spec, flags, specReplicas: 0, currentReplicas: 0, readyPods: 0, values: spec.metrics.map(() => 0) };
  }

  decide(now: number, current: number, readyPods: number, value: number): number {
    const d = reconcile(simulatorInput(this.input, now, current, readyPods, value), this.state);
    this.rescale = d.rescale;
    return d.desired;
  }

  quiet(): boolean {
    return false;
  }

  settle(now: number, value: number): number {
    return settleReplicas(this.spec, this.flags, now, value);
  }
}
