import { UserError } from '../core/errors.ts';
import { idOf } from '../kinds/model/discovery.ts';
import type { KubeObject } from '../kinds/model/objects.ts';
import type { ScenarioOverrides } from '../kinds/model/overrides.ts';
import { ewWithOverrides } from '../kinds/placement/elasticworkload/index.ts';
import type { MigrationInput } from './convert.ts';

/** What discovery found in the team's manifests (`manifests/index.ts`, HarnessManifests), as far as migrating reads it. */
export interface Found {
  objects: KubeObject[];
  hpa: KubeObject;
  placement?: KubeObject;
  businessDeployment: KubeObject;
  source?: string;
  fileOf?: (o: KubeObject) => string;
}

/**
 * The converters' input from discovered manifests: the HPA, the ElasticWorkload it scales with the
 * scenario's `elasticWorkload:` over it (the run being compared is the scenario's, and the
 * successor has no such overrides: they go into its object), and the source Deployment. Manifests
 * whose HPA scales anything but an ElasticWorkload have nothing to migrate.
 */
export function migrationInput(found: Found, overrides: ScenarioOverrides): { input: MigrationInput; overridden: string[] } {
  const fileOf = found.fileOf ?? (() => found.source ?? 'manifests');
  if (found.placement?.kind !== 'ElasticWorkload') {
    const target = found.placement ?? found.businessDeployment;
    throw new UserError(`${fileOf(found.hpa)}: ${idOf(found.hpa)} scales ${idOf(target)}, not an ElasticWorkload: there is nothing to migrate`, 'point --manifests at the manifests whose HPA scales the ElasticWorkload');
  }
  const ew = ewWithOverrides(found.placement, overrides, overrides.file ?? 'scenario');
  const before = JSON.stringify(found.placement.spec);
  const o = overrides.elasticWorkload ?? {};
  const overridden = before === JSON.stringify(ew.spec) ? [] : Object.keys(o).filter((k) => o[k as keyof typeof o] !== undefined).map((k) => `elasticWorkload.${k}`);
  return { input: { hpa: found.hpa, ew, deployment: found.businessDeployment, fileOf }, overridden };
}
