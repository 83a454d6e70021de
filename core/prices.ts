import { z } from 'zod';
import { readYamlSource, validateYaml } from './config.ts';
import { readUserFileSync } from './files.ts';
import { UserError } from './errors.ts';

/**
 * Your prices: what an ECS node of each pool costs per period (subscription) and what ECI bills per
 * vCPU-second and GiB-second (pay-as-you-go, or preemptible where ACK offers it), in one currency
 * and region. Pure data and its zod schema, on the ground floor so that a scenario's `cost:` and a
 * `--cost FILE` are validated by the same schema, and every measure of cost (core/checks/measures.ts)
 * reads the same figures.
 *
 * Built-in defaults (CNY, mainland China regions), retrieved 2026-11-25:
 * - ECI pay-as-you-go vCPU 0.000049 CNY/s and memory 0.00000613 CNY/GiB/s: Alibaba Cloud, "ECI实例计费"
 *   (https://help.aliyun.com/zh/eci/product-overview/elastic-container-instances).
 * - ECS subscription: no list price is built in. Alibaba Cloud states that ECI reserved instances
 *   cost the same as subscription ECS of the same type and save up to 50 % against pay-as-you-go ECI
 *   (https://www.alibabacloud.com/help/doc-detail/89142.htm), so a pool without a price of yours is
 *   ESTIMATED at 50 % of its vCPU and memory at the ECI prices above: 0.5 × (vCPU × 0.1764 + GiB ×
 *   0.0221) CNY/h × 730 h a month — ≈ 386.6 CNY/month for a 4 vCPU / 16 GiB node (ecs.g7.xlarge-sized).
 *   An estimate, not a list price: every output that used it says so; set `ecs:` from your bill.
 * - Preemptible (spot) ECI: no default. Its price follows the market; give `eci.preemptible` to use it.
 */

/** Hours in the month a monthly price is spread over (Alibaba Cloud's 730 h convention for subscriptions). */
export const MONTH_HOURS = 730;
export const PERIOD_SECONDS = { hour: 3600, day: 86_400, month: MONTH_HOURS * 3600 } as const;
export type PricePeriod = keyof typeof PERIOD_SECONDS;

const amount = z.number().nonnegative().finite();

const ecsPriceSchema = z.strictObject({
  /** The node pool it prices (nodes[].name); without it, every pool of this instance type. */
  pool: z.string().min(1).optional(),
  /** The instance type, e.g. ecs.g7.xlarge, as in the pool's `instanceType`. */
  instanceType: z.string().min(1),
  /** What one node costs per `per`. */
  pricePerNode: amount,
  per: z.enum(['hour', 'day', 'month']).optional(),
});

const eciRateSchema = z.strictObject({ vcpuPerSecond: amount, gibPerSecond: amount });

/** The ECI pay-as-you-go list prices built in (CNY; source and date above). */
export const BUILTIN_ECI = Object.freeze({ vcpuPerSecond: 0.000049, gibPerSecond: 0.00000613 });
const BUILTIN_CURRENCY = 'CNY';

/**
 * `cost:` in a scenario and a `--cost FILE`: every field optional, what is not given keeps the
 * built-in value (`resolvePrices`). Prices in another currency must name their ECI rates, and every
 * ECS pool's price: the built-in figures are CNY.
 */
export const pricesSchema = z
  .strictObject({
    /** ISO 4217 code every figure is printed in. */
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as CNY or USD').optional(),
    /** The region the prices are for (for the record: ebbflow looks no price up); default the ECI node's region. */
    region: z.string().regex(/^[a-z]+(-[a-z0-9]+)+$/, 'an Alibaba Cloud region id like cn-hangzhou').optional(),
    /** Where your figures come from, e.g. "our bill, 2026-10"; printed with the cost. */
    source: z.string().min(1).max(200).optional(),
    ecs: z.array(ecsPriceSchema).max(100).optional(),
    eci: z
      .strictObject({
        vcpuPerSecond: amount.optional(),
        gibPerSecond: amount.optional(),
        /** Preemptible (spot) ECI, where ACK offers it: its own rates. */
        preemptible: eciRateSchema.optional(),
        /** Which rate the overflow pods are billed at. */
        billing: z.enum(['payAsYouGo', 'preemptible']).optional(),
      })
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (p.currency !== undefined && p.currency !== BUILTIN_CURRENCY && (p.eci?.vcpuPerSecond === undefined || p.eci?.gibPerSecond === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['eci'], message: `prices in ${p.currency} need eci.vcpuPerSecond and eci.gibPerSecond in ${p.currency} (the built-in ones are ${BUILTIN_CURRENCY})` });
    }
    if (p.eci?.billing === 'preemptible' && p.eci.preemptible === undefined) {
      ctx.addIssue({ code: 'custom', path: ['eci', 'billing'], message: 'billing: preemptible needs eci.preemptible with its vcpuPerSecond and gibPerSecond (spot prices follow the market; there is no built-in one)' });
    }
  });
export type PricesInput = z.output<typeof pricesSchema>;

export interface EcsPrice {
  pool?: string;
  instanceType: string;
  pricePerNode: number;
  per: PricePeriod;
}

/** Prices resolved: every figure there, each either yours or the built-in one. */
export interface Prices {
  currency: string;
  region: string;
  /** Where the figures come from: yours (`source:`), or the built-in list price and estimate. */
  source: string;
  ecs: EcsPrice[];
  eci: { vcpuPerSecond: number; gibPerSecond: number; preemptible?: { vcpuPerSecond: number; gibPerSecond: number }; billing: 'payAsYouGo' | 'preemptible' };
  /** True while the ECI rates are the built-in list prices. */
  eciBuiltIn: boolean;
}

export const BUILTIN_SOURCE = 'built-in: ECI list price (help.aliyun.com "ECI实例计费", retrieved 2026-11-25); ECS estimated unless priced';

/** Layers of `cost:` over the built-in prices, later layers winning field by field (a `--cost FILE` over the scenario's). */
export function resolvePrices(layers: (PricesInput | undefined)[], defaults: { region?: string } = {}): Prices {
  const given = layers.filter((l): l is PricesInput => l !== undefined);
  const pick = <T>(f: (l: PricesInput) => T | undefined): T | undefined => given.reduce<T | undefined>((v, l) => f(l) ?? v, undefined);
  const vcpu = pick((l) => l.eci?.vcpuPerSecond);
  const gib = pick((l) => l.eci?.gibPerSecond);
  const preemptible = pick((l) => l.eci?.preemptible);
  return {
    currency: pick((l) => l.currency) ?? BUILTIN_CURRENCY,
    region: pick((l) => l.region) ?? defaults.region ?? 'cn-hangzhou',
    source: pick((l) => l.source) ?? BUILTIN_SOURCE,
    // A later layer's entries come first: the first match prices a pool.
    ecs: [...given].reverse().flatMap((l) => (l.ecs ?? []).map((e) => ({ ...e, per: e.per ?? 'month' }))),
    eci: { vcpuPerSecond: vcpu ?? BUILTIN_ECI.vcpuPerSecond, gibPerSecond: gib ?? BUILTIN_ECI.gibPerSecond, ...(preemptible ? { preemptible } : {}), billing: pick((l) => l.eci?.billing) ?? 'payAsYouGo' },
    eciBuiltIn: vcpu === undefined && gib === undefined,
  };
}

/** `over` laid on `under` field by field (a `--cost FILE` on a scenario's `cost:`); over's ECS entries match first. */
export function layerPrices(under: PricesInput | undefined, over: PricesInput): PricesInput {
  if (!under) return over;
  const eci = under.eci || over.eci ? { ...under.eci, ...over.eci } : undefined;
  const ecs = under.ecs || over.ecs ? [...(over.ecs ?? []), ...(under.ecs ?? [])] : undefined;
  return { ...under, ...over, ...(ecs ? { ecs } : {}), ...(eci ? { eci } : {}) };
}

/** The built-in prices (sources and dates above). */
export const DEFAULT_PRICES: Prices = resolvePrices([]);

/** ECI price of one pod-second at the pod's requests (ECI bills the requested vCPU and memory). */
export function eciPodPricePerSecond(p: Prices, pod: { vcpu: number; memoryGiB: number }): number {
  const rate = p.eci.billing === 'preemptible' && p.eci.preemptible ? p.eci.preemptible : p.eci;
  return pod.vcpu * rate.vcpuPerSecond + pod.memoryGiB * rate.gibPerSecond;
}

export interface EcsPoolShape {
  name: string;
  instanceType: string;
  count: number;
  vcpu: number;
  memoryGiB: number;
}

/** The price of one node of a pool per second, and whether it is the built-in estimate (no price of yours). */
export function ecsNodePricePerSecond(p: Prices, pool: EcsPoolShape): { perSecond: number; estimated: boolean; instanceType: string } {
  const mine = p.ecs.find((e) => e.pool === pool.name) ?? p.ecs.find((e) => e.pool === undefined && e.instanceType === pool.instanceType);
  if (mine) return { perSecond: mine.pricePerNode / PERIOD_SECONDS[mine.per], estimated: false, instanceType: mine.instanceType };
  if (p.currency !== BUILTIN_CURRENCY) {
    throw new UserError(`cost: no ECS price for pool "${pool.name}" (${pool.instanceType}) in ${p.currency}; the built-in estimate is in ${BUILTIN_CURRENCY}`, `add to cost.ecs: - { pool: ${pool.name}, instanceType: ${pool.instanceType}, pricePerNode: <price>, per: month }`);
  }
  // The estimate: half the ECI pay-as-you-go list price of the node's vCPU and memory (see above).
  const perSecond = 0.5 * (pool.vcpu * BUILTIN_ECI.vcpuPerSecond + pool.memoryGiB * BUILTIN_ECI.gibPerSecond);
  return { perSecond, estimated: true, instanceType: pool.instanceType };
}

/** `--cost FILE`: YAML or JSON, validated with the scenario's `cost:` schema, errors as file:line:column: field. */
export function readPricesFile(file: string): PricesInput {
  const text = readUserFileSync(file, 'cost file', { hint: 'give a YAML or JSON file with currency, ecs and eci prices (scenarios/README.md, "Cost")', maxBytes: 1024 * 1024 });
  const src = readYamlSource(text, file);
  return validateYaml(src, pricesSchema);
}

/** The period a figure covers, spelled out: "day", "7 days", "3 h", "90 min". */
export function periodLabel(seconds: number): string {
  if (seconds > 0 && seconds % 86_400 === 0) return seconds === 86_400 ? 'day' : `${seconds / 86_400} days`;
  if (seconds >= 3600) return `${Number((seconds / 3600).toFixed(2))} h`;
  return `${Number((seconds / 60).toFixed(1))} min`;
}

/** A money figure with its currency and period: "5.70 CNY/day", "1.42 CNY/3 h". */
export function formatMoney(value: number, currency: string, seconds: number): string {
  return `${value.toFixed(2)} ${currency}/${periodLabel(seconds)}`;
}
