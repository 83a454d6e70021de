import type { ScalerSimulation } from '../../model/scaler.ts';
import type { KedaBehaviour } from './resolve.ts';

/**
 * KEDA's scaling in the simulator: its generated HPA (`hpa`, the HPA kind's simulation of
 * `hpaModelView`) and, beside it, what KEDA's operator and metrics server do themselves
 * (pkg/scaling/executor/scale_scaledobjects.go, pkg/fallback):
 * - every `pollingInterval` the operator checks activity (value above the activation threshold): an
 *   active target at 0 replicas is scaled to max(minReplicaCount, 1); an inactive one with
 *   minReplicaCount 0 (or idleReplicaCount 0) goes to 0 once it has been inactive for
 *   `cooldownPeriod` since it was last active. A failed read deactivates nothing.
 * - on each HPA sync the metrics server reads the value live (minReplicaCount ≥ 1 needs no poll):
 *   a failed read (a value that is not a finite number) fails the HPA's metric — the HPA holds —
 *   until `fallback.failureThreshold` reads in a row failed; then it answers
 *   fallback.replicas × target (AverageValue), so the HPA moves to fallback.replicas.
 * - at 0 replicas the HPA does nothing (kcm: scaling disabled at zero).
 * Times in seconds; `decide` is called once per HPA sync, as the kind's interface says.
 */
export class KedaSimulation implements ScalerSimulation {
  rescale = false;
  readonly quietNeedsReady = false;
  private lastActive = -Infinity;
  private nextPoll: number | undefined;
  private failures = 0;

  constructor(
    private readonly hpa: ScalerSimulation,
    private readonly keda: KedaBehaviour,
    /** The HPA's target per replica (AverageValue) or in all (Value), for the fallback's answer. */
    private readonly target: number,
  ) {}

  private metric(value: number): number {
    return this.keda.modifier ? this.keda.modifier(value) : value;
  }

  private active(value: number): boolean {
    return Number.isFinite(value) && this.metric(value) > this.keda.activation;
  }

  /** The operator's loop at `now` if a poll is due: a scale to or from zero, or undefined. */
  private poll(now: number, current: number, value: number): number | undefined {
    if (this.nextPoll === undefined) this.nextPoll = now;
    if (now + 1e-9 < this.nextPoll) return undefined;
    const p = this.keda.pollingSeconds;
    this.nextPoll += Math.max(1, Math.ceil((now - this.nextPoll) / p + 1e-9)) * p;
    if (!Number.isFinite(value)) return undefined;
    if (this.active(value)) {
      this.lastActive = now;
      return current === 0 ? Math.max(this.keda.minReplicaCount, 1) : undefined;
    }
    const toIdle = this.keda.minReplicaCount === 0 || this.keda.idleReplicaCount !== undefined;
    if (toIdle && current > 0 && now - this.lastActive >= this.keda.cooldownSeconds) return this.keda.idleReplicaCount ?? 0;
    return undefined;
  }

  decide(now: number, current: number, readyPods: number, value: number): number {
    const scaled = this.poll(now, current, value);
    if (scaled !== undefined && scaled !== current) {
      this.rescale = true;
      return scaled;
    }
    this.rescale = false;
    if (current === 0) return 0;
    if (!Number.isFinite(value)) {
      this.failures++;
      const fb = this.keda.fallback;
      if (!fb || this.failures < fb.failureThreshold) return current;
      const desired = this.hpa.decide(now, current, readyPods, fb.replicas * this.target);
      this.rescale = this.hpa.rescale;
      return desired;
    }
    this.failures = 0;
    const desired = this.hpa.decide(now, current, readyPods, this.metric(value));
    this.rescale = this.hpa.rescale;
    return desired;
  }

  quiet(): boolean {
    return false;
  }

  settle(now: number, value: number): number {
    if (!this.active(value) && (this.keda.minReplicaCount === 0 || this.keda.idleReplicaCount !== undefined)) return this.keda.idleReplicaCount ?? 0;
    this.lastActive = now;
    return this.hpa.settle(now, this.metric(value));
  }
}
