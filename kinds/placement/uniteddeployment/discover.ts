import { UserError } from '../../../core/errors.ts';
import { findNear, idOf, missingObject, specOf, type DiscoveryContext } from '../../model/discovery.ts';
import type { KubeObject } from '../../model/objects.ts';
import type { PlacementDiscovery } from '../../model/placement.ts';
import type { DiscoveredScaler } from '../../model/scaler.ts';
import { KIND, TEMPLATES, type UnitedDeploymentSpec } from './spec.ts';

/** The annotation that marks the workload discovery made from a template: it is read, never applied. */
export const TEMPLATE_OF_ANNOTATION = 'ebbflow.io/template-of';

/**
 * The UnitedDeployment the scaler names, in its namespace, and its pods as a workload object: the
 * template's kind and spec under the UnitedDeployment's name (what the system model reads: the
 * pods' requests), marked as a template so a replay applies the UnitedDeployment, not it. Exactly
 * one template and at least one subset, or an error naming the file and the field.
 */
export function discoverUnitedDeployment(ctx: DiscoveryContext, scaler: DiscoveredScaler): PlacementDiscovery {
  const from = scaler.object;
  const ud = findNear(ctx, from, KIND, scaler.target.name);
  if (!ud) throw missingObject(ctx, from, KIND, scaler.target.name, `${idOf(from)}: spec.scaleTargetRef`);
  const at = `${ctx.fileOf(ud)}: ${idOf(ud)}`;
  const spec = specOf(ud) as UnitedDeploymentSpec;
  const present = TEMPLATES.filter(([field]) => spec.template?.[field] !== undefined);
  if (present.length !== 1) {
    const names = TEMPLATES.map(([f]) => f).join(', ');
    throw new UserError(`${at}: spec.template: ${present.length ? `holds ${present.map(([f]) => f).join(' and ')}` : 'holds none of the templates'}`, `give exactly one of ${names}`);
  }
  const [field, kind] = present[0]!;
  const template = spec.template![field]!;
  if (!template.spec?.template) throw new UserError(`${at}: spec.template.${field}.spec.template: missing`, 'the template needs the pod template its subsets\' workloads run');
  if (!spec.topology?.subsets?.length) throw new UserError(`${at}: spec.topology.subsets: none`, 'add a subset per kind of node, cheapest first (ECS, then the ECI virtual node)');
  const workload: KubeObject = {
    apiVersion: kind === 'CloneSet' ? 'apps.kruise.io/v1alpha1' : 'apps/v1',
    kind,
    metadata: {
      name: ud.metadata.name,
      ...(ud.metadata.namespace ? { namespace: ud.metadata.namespace } : {}),
      labels: { ...template.metadata?.labels },
      annotations: { [TEMPLATE_OF_ANNOTATION]: `${KIND}/${ud.metadata.name}` },
    },
    spec: { ...template.spec, ...(spec.selector ? { selector: spec.selector } : {}) },
  };
  return { object: ud, workload };
}
