import type { Scenario } from '../../scenarios/index.ts';

/** What a scenario may override of the manifests' system; every field optional so the bare manifests resolve too. */
export type ScenarioOverrides = Partial<Pick<Scenario, 'file' | 'hpa' | 'elasticWorkload' | 'nodes' | 'devicesPerReplica' | 'sampleEverySeconds' | 'seed'>> & {
  pipeline?: Partial<Scenario['pipeline']>;
};
