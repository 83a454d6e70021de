import { UserError } from '../core/errors.ts';
import { TARGETS, type Converter, type Target } from './convert.ts';
import { resourcePolicyConverter } from './resourcepolicy.ts';
import { unitedDeploymentConverter } from './uniteddeployment.ts';
import { workloadSpreadConverter } from './workloadspread.ts';

/** One converter per successor, by its `--to` name. */
export const CONVERTERS: Readonly<Record<Target, Converter>> = {
  uniteddeployment: unitedDeploymentConverter,
  workloadspread: workloadSpreadConverter,
  resourcepolicy: resourcePolicyConverter,
};

export function converterFor(to: string): Converter {
  if (!(TARGETS as readonly string[]).includes(to)) throw new UserError(`--to ${to}: not a successor ebbflow converts to`, `give one of ${TARGETS.join(', ')}`);
  return CONVERTERS[to as Target];
}

export { TARGETS, type Aspect, type Converter, type Migration, type MigrationInput, type Target } from './convert.ts';
export { overlayFiles, manifestsFile, type OverlayFiles } from './overlay.ts';
