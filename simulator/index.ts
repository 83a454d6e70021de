export { reconcile, newHpaState, newWindowedHpaState, RecommendationWindow, objectMetricReplicas, scaleUpLimit, scaleDownLimit, withinTolerance, withinToleranceFor, tolerancesFor, hpaEdges, goInt32, storeScaleEvent, defaultBehavior, type HpaSpec, type HpaState, type HpaInput, type HpaDecision, type HpaFlags, type HpaFeatureGates, type HpaEdges, type ScaleEvent, type Behavior, type ObjectMetric } from '../kinds/scaler/hpa/index.ts';
export { simulate, runModel, segmentsFor, type SimSummary, type Segment, type Stepping, type SimulateOptions } from './simulate.ts';
export { defaultSystem, systemFromScenario, loadSystemManifests, costBasis, pricesFor, runBasis, type SystemConfig } from './system.ts';
export { DEFAULT_PRICES, resolvePrices, formatMoney, type Prices, type PricesInput } from '../core/prices.ts';
export { parseVary, product, applyConfig, frontier, VARY_KEYS, type Config, type SweepRow } from './sweep.ts';
export { runSweep } from './whatif.ts';
