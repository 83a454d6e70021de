import { UnitError, parseQuantity } from '../../../core/units.ts';

/**
 * A `behavior.scaleUp|scaleDown.tolerance` as kube-controller-manager reads it. The field is a
 * resource.Quantity: the API server stores it canonical (apimachinery amount.go
 * `int64Amount.AsCanonicalBytes`: trailing zeros removed, the exponent lowered to a multiple of 3,
 * so 0.05 is stored "50m") and the controller converts it with `AsApproximateFloat64`
 * (quantity.go: mantissa × math.Pow10(exponent)), horizontal.go `tolerancesForHpa`. That float is
 * not always the nearest double of the decimal: 0.059 becomes 59 × 0.001 = 0.059000000000000004,
 * which moves the edge of the tolerance band (`Tolerances.isWithin` is inclusive). The model uses
 * the controller's float so a ratio exactly at the edge decides as the cluster does.
 */

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?(n|u|m|k|M|G|T|P|E)?$/;
const SI: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Go's math.Pow10 for the exponents a tolerance can have: 10^n, or 1 / 10^−n (correctly rounded either way). */
const pow10 = (n: number): number => (n >= 0 ? 10 ** n : 1 / 10 ** -n);

/** The canonical (mantissa, exponent) of a decimal quantity; digits beyond nano round up, as ParseQuantity does. */
export function canonicalDecimal(q: string | number): { mantissa: bigint; exponent: number } {
  // A number is what YAML or JSON would send: its shortest decimal form.
  const s = typeof q === 'number' ? String(q) : q.trim();
  const m = DECIMAL.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new UnitError(`not a decimal Kubernetes quantity: "${s}"`);
  const frac = m[3] ?? '';
  let mantissa = BigInt(`${m[2] || '0'}${frac}`);
  let exponent = SI[m[5] ?? '']! + Number(m[4] ?? 0) - frac.length;
  if (exponent < -9) {
    // Below nano the quantity is rounded up to nano (ParseQuantity's inf.RoundUp at scale 9).
    const div = 10n ** BigInt(-9 - exponent);
    mantissa = (mantissa + div - 1n) / div;
    exponent = -9;
  }
  if (mantissa === 0n) return { mantissa: 0n, exponent: 0 };
  // removeInt64Factors(mantissa, 10), then the exponent down to a multiple of 3.
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const r = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(r);
  exponent -= r;
  return { mantissa: m[1] === '-' ? -mantissa : mantissa, exponent };
}

/** The tolerance kube-controller-manager computes from the field: `AsApproximateFloat64` of its canonical form. */
export function controllerTolerance(q: string | number): number {
  if (typeof q === 'string' && /[KMGTPE]i$/.test(q.trim())) return parseQuantity(q);
  const { mantissa, exponent } = canonicalDecimal(q);
  return exponent === 0 ? Number(mantissa) : Number(mantissa) * pow10(exponent);
}
