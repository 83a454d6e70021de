import { UserError } from '../../core/errors.ts';
import { parseQuantity } from '../../core/units.ts';

/** Parsing a field of the manifests: a failure names the file, the object and the field. */
export function checked<T>(fn: () => T, field: string): T {
  try {
    return fn();
  } catch (e) {
    throw new UserError(`${field}: ${(e as Error).message}`);
  }
}

/** A Kubernetes quantity ("3k", "500m", 2) at `field`, which names where it was written. */
export function quantity(q: string | number | undefined, field: string): number {
  if (q === undefined) throw new UserError(`${field}: missing`);
  return checked(() => parseQuantity(q), field);
}
