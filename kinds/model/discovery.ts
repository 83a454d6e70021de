import { UserError } from '../../core/errors.ts';
import type { KubeObject } from './objects.ts';

/**
 * What a kind's discovery reads: a team's rendered objects, each with its file, recognised by
 * content and by the references between them, never by our own names. What is missing or ambiguous
 * is one UserError naming the object, the file and the fix.
 */
export interface DiscoveryContext {
  /** The objects, in the order they were read. */
  objects: KubeObject[];
  /** Where the manifests came from (a path, or the shipped overlay), for messages about what is absent. */
  where: string;
  /** The file an object came from, for messages. */
  fileOf(o: KubeObject): string;
  /** Conversions and assumptions the user should read. */
  warnings: string[];
}

export const DEFAULT_NAMESPACE = 'default';

export const namespaceOf = (o: KubeObject) => o.metadata?.namespace ?? DEFAULT_NAMESPACE;
/** `Kind namespace/name`, as messages name an object. */
export const idOf = (o: KubeObject) => `${o.kind} ${namespaceOf(o)}/${o.metadata?.name}`;
export const specOf = (o: KubeObject) => (o.spec ?? {}) as Record<string, unknown>;

/** The object of `kind` named `name` in `near`'s namespace. */
export function findNear(ctx: DiscoveryContext, near: KubeObject, kind: string, name: string | undefined): KubeObject | undefined {
  return ctx.objects.find((o) => o.kind === kind && o.metadata.name === name && namespaceOf(o) === namespaceOf(near));
}

/** `by` (a field of `from`) names an object the manifests do not hold. */
export function missingObject(ctx: DiscoveryContext, from: KubeObject, kind: string, name: string | undefined, by: string): UserError {
  const ns = namespaceOf(from);
  return new UserError(`${ctx.fileOf(from)}: ${by} names ${kind} ${ns}/${name}, which is not among the manifests`, `add the ${kind} to the manifests you point at, or fix the name (namespace ${ns})`);
}
