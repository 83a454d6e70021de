/**
 * The HPA's `behavior.scaleUp.tolerance` as a search dimension, pure. Per-direction tolerances are
 * beta and on by default from Kubernetes 1.35 (HPAConfigurableTolerance; the pinned 1.36 needs no
 * feature gate). A smaller scale-up tolerance makes the HPA add replicas on a smaller overshoot of
 * its target, which lets a larger target (fewer replicas the rest of the time) meet the same SLO.
 * The scale-down tolerance stays the controller's: a larger one only holds replicas longer (never
 * cheaper) and a smaller one trims within 10 % of the need at the price of flapping.
 */

/** Scale-up tolerances searched: 0 to 10 % by 1 %, without today's (the HPA family's grid already runs it). */
export function scaleUpTolerances(today: number): number[] {
  return Array.from({ length: 11 }, (_, i) => i / 100).filter((t) => Math.abs(t - today) > 1e-9);
}
