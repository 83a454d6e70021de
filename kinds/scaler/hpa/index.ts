import type { ScalerKind } from '../../model/scaler.ts';
import { discoverHpa } from './discover.ts';
import { HpaRun, type HpaSpec } from './model.ts';
import { hpaWithOverrides, kcmFlags, numericHpa, type KcmFlags } from './resolve.ts';
import { ReferenceHpaSimulation } from './simulation.ts';

/**
 * The HorizontalPodAutoscaler (autoscaling/v2): discovered among the manifests (older versions
 * converted), overridden by the scenario's `hpa:`, modelled in the simulator by the port of upstream's
 * controller (`model.ts`); in a replay kube-controller-manager is its controller, so it adds no component.
 */
export const hpa: ScalerKind<HpaSpec, KcmFlags> = {
  kind: 'HorizontalPodAutoscaler',
  discover: discoverHpa,
  withOverrides: hpaWithOverrides,
  model: numericHpa,
  flags: kcmFlags,
  maxReplicas: (object) => (object.spec as { maxReplicas: number }).maxReplicas,
  simulation: (spec, flags, { precomputed }) => (precomputed ? new HpaRun(spec, flags) : new ReferenceHpaSimulation(spec, flags)),
  components: () => [],
};

export { convertHpaToV2 } from './discover.ts';
export { KCM_DEFAULTS, hpaWithOverrides, type KcmFlags } from './resolve.ts';
export * from './model.ts';
