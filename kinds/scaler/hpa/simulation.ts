import type { ScalerSimulation } from '../../model/scaler.ts';
import { HpaRun, newHpaState, reconcile, type HpaInput, type HpaSpec, type HpaState } from './model.ts';
import type { KcmFlags } from './resolve.ts';

/**
 * The HPA in the simulator: `HpaRun` (the fast paths) for precomputed stepping, `reconcile` on a
 * plain history otherwise (the reference). One input object per run: neither keeps it.
 */
export class HpaSimulation implements ScalerSimulation {
  rescale = false;
  readonly quietNeedsReady: boolean;
  private readonly run: HpaRun | undefined;
  private readonly state: HpaState;
  private readonly values: number[];
  private readonly input: HpaInput;

  constructor(private readonly spec: HpaSpec, private readonly flags: KcmFlags, precomputed: boolean) {
    this.run = precomputed ? new HpaRun(spec, flags) : undefined;
    this.state = this.run ? this.run.state : newHpaState();
    this.quietNeedsReady = this.run?.quietNeedsReady ?? false;
    this.values = spec.metrics.map(() => 0);
    this.input = { now: 0, spec, flags, specReplicas: 0, currentReplicas: 0, readyPods: 0, values: this.values };
  }

  sync(now: number, current: number, readyPods: number, value: number): number {
    const values = this.values;
    for (let i = 0; i < values.length; i++) values[i] = value;
    const input = this.input;
    input.now = now;
    input.specReplicas = input.currentReplicas = current;
    input.readyPods = readyPods;
    if (this.run) {
      const desired = this.run.sync(input);
      this.rescale = this.run.rescale;
      return desired;
    }
    const d = reconcile(input, this.state);
    this.rescale = d.rescale;
    return d.desired;
  }

  quiet(now: number, current: number, value: number, readyPods: number): boolean {
    return this.run ? this.run.quiet(now, current, value, readyPods) : false;
  }

  /** Syncs from minReplicas on fresh histories until the decision holds (at most 50). */
  settle(now: number, value: number): number {
    const { spec, flags } = this;
    let cur = Math.max(spec.minReplicas, 1);
    for (let i = 0; i < 50; i++) {
      const d = reconcile({ now, spec, flags, specReplicas: cur, currentReplicas: cur, readyPods: cur, values: spec.metrics.map(() => value) }, newHpaState());
      if (d.desired === cur) break;
      cur = d.desired;
    }
    return cur;
  }
}
