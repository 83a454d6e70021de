import YAML from 'yaml';
import type { KubeObject } from '../kinds/model/objects.ts';
import type { Migration } from './convert.ts';

/** Files to write into the output directory, by name. */
export type OverlayFiles = Record<string, string>;

/** `apiVersion`, `kind` and `metadata` (name, namespace as given): enough for kustomize to find the object. */
function idObject(o: KubeObject): KubeObject {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) } };
}

// No anchors: the converted object shares the Deployment's selector in two places, and a reviewer reads plain YAML.
const doc = (o: unknown) => YAML.stringify(o, { lineWidth: 0, aliasDuplicateObjects: false });

/**
 * A kustomize overlay over the team's own directory (`resource`, relative to the overlay): it keeps
 * everything they apply, deletes the ElasticWorkload (and what the successor replaces) with
 * `$patch: delete`, retargets the HPA and adds the successor's object from a file beside it, so the
 * change stays a reviewable diff on top of theirs.
 */
export function overlayFiles(m: Migration, resource: string, hpa: KubeObject): OverlayFiles {
  const objectFile = `${m.kind.toLowerCase()}.yaml`;
  const deletes = m.remove.map((o) => ({ patch: `$patch: delete\n${doc(idObject(o))}`.trimEnd() }));
  const retarget = { patch: doc({ ...idObject(hpa), spec: { scaleTargetRef: m.hpaTarget } }).trimEnd() };
  const kustomization = [
    `# ebbflow migrate --to ${m.target}: ${m.remove.map((o) => o.kind).join(' and ')} replaced by a ${m.kind}, the HPA retargeted to ${m.hpaTarget.kind} ${m.hpaTarget.name}.`,
    '# Everything else is the directory below, unchanged; the new object is in the file beside this one.',
    doc({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [resource, objectFile], patches: [...deletes, retarget] }),
  ].join('\n');
  return {
    'kustomization.yaml': kustomization,
    [objectFile]: m.add.map(doc).join('---\n'),
  };
}

const sameObject = (a: KubeObject, b: KubeObject) => a.kind === b.kind && a.metadata.name === b.metadata.name && (a.metadata.namespace ?? 'default') === (b.metadata.namespace ?? 'default');

/**
 * Manifests that are not a kustomize directory (a folder of YAML, one file) cannot be overlaid:
 * one file beside them holds every object of theirs with the same changes made (the removed
 * objects left out, the HPA retargeted, the successor's object added).
 */
export function manifestsFile(objects: readonly KubeObject[], m: Migration, hpa: KubeObject): OverlayFiles {
  const kept = objects
    .filter((o) => !m.remove.some((r) => sameObject(r, o)))
    .map((o) => (sameObject(o, hpa) ? { ...o, spec: { ...(o.spec as object), scaleTargetRef: m.hpaTarget } } : o));
  const header = `# ebbflow migrate --to ${m.target}: your manifests with ${m.remove.map((o) => o.kind).join(' and ')} replaced by a ${m.kind} and the HPA retargeted.\n`;
  return { 'manifests.yaml': header + [...kept, ...m.add].map(doc).join('---\n') };
}
