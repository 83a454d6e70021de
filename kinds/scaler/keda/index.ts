import type { KubeObject } from '../../model/objects.ts';
import type { ScalerKind } from '../../model/scaler.ts';
import { discoverScaledObject } from './discover.ts';
import { KEDA_DEFAULTS, type ScaledObjectSpec } from './generated.ts';
import { hpaModelView, kedaBehaviour, kedaWithOverrides, type KedaBehaviour } from './resolve.ts';
import { KedaSimulation } from './simulation.ts';
import { KedaComponent } from './controller.ts';
import { needsExternalScaler, queryResolutionSeconds, readsLive, replayedScaledObject, retargetScaledObject } from './replay.ts';

/** The numbers the HPA model reads, structurally (kinds never import each other: the registry hands the HPA kind in). */
export interface HpaNumbers {
  minReplicas: number;
  maxReplicas: number;
  metrics: { type: 'Value' | 'AverageValue'; target: number }[];
}

export type KedaSpec<S extends HpaNumbers = HpaNumbers> = S & { keda: KedaBehaviour };

/**
 * KEDA's ScaledObject (keda.sh/v1alpha1): discovered among the manifests, overridden by the
 * scenario's `hpa:` where KEDA reads those values, modelled as the HPA KEDA generates (through the
 * HPA kind's model, handed in by the registry) plus what KEDA does beside it (`simulation.ts`).
 * A replay runs the real KEDA beside the cluster (`cluster/keda`) and records the HPA it generates.
 */
export function kedaKind<S extends HpaNumbers, F>(hpa: ScalerKind<S, F>): ScalerKind<KedaSpec<S>, F> {
  return {
    kind: 'ScaledObject',
    discover: discoverScaledObject,
    withOverrides: kedaWithOverrides,
    model: (object: KubeObject, source: string) => ({ ...hpa.model(hpaModelView(object), source), keda: kedaBehaviour(object, source) }),
    flags: (s) => hpa.flags(s),
    // KEDA's metrics server asks the scaler on each HPA sync: no Prometheus scrape between, unless
    // the scaler is Prometheus itself.
    liveMetric: readsLive,
    queryResolution: queryResolutionSeconds,
    maxReplicas: (object) => (object.spec as ScaledObjectSpec).maxReplicaCount ?? KEDA_DEFAULTS.maxReplicaCount,
    simulation: (spec, flags, opts) => new KedaSimulation(hpa.simulation(spec, flags, { ...opts, precomputed: false }), spec.keda, spec.metrics[0]!.target),
    components: (ctx) => [new KedaComponent(ctx)],
    toolchain: ['keda-operator', 'keda-metrics-apiserver'],
    replayed: replayedScaledObject,
    retarget: retargetScaledObject,
    externalScaler: needsExternalScaler,
  };
}

export { generatedHpa, generatedHpaName, KEDA_DEFAULTS, type ScaledObjectSpec } from './generated.ts';
export { type KedaBehaviour } from './resolve.ts';
export { needsExternalScaler, queryResolutionSeconds, readsLive, replayedScaledObject, retargetScaledObject } from './replay.ts';
