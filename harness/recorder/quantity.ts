/**
 * Kubernetes quantity → number ("2721", "6k", "1500m", "2.5k", "1Mi"). Hand-written: the client
 * library's converter is not exported from its entry point and throws on decimals with a suffix
 * ("2.5k" is exactly what the HPA reports for a metric value of 2500).
 */
const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(q: string): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(q.trim());
  if (!m) throw new Error(`not a Kubernetes quantity: "${q}"`);
  return Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? 1);
}
