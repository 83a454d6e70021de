import { z } from 'zod';
import { readYamlSource, validateYaml } from './config.ts';
import { readUserFileSync } from './files.ts';

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
  per: z.enum(['hour', 'day', 'month']).default('month'),
});

const eciRateSchema = z.strictObject({ vcpuPerSecond: amount, gibPerSecond: amount });

export const pricesSchema = z.strictObject({
  /** ISO 4217 code every figure is printed in. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as CNY or USD').default('CNY'),
  /** The region the prices are for (for the record: ebbflow does not look prices up). */
  region: z.string().min(1).default('cn-hangzhou'),
  /** Where the figures come from, e.g. "our bill, 2026-10"; printed with the cost. */
  source: z.string().min(1).max(200).optional(),
  ecs: z.array(ecsPriceSchema).max(100).default([]),
  eci: z
    .strictObject({
      vcpuPerSecond: amount.default(0.000049),
      gibPerSecond: amount.default(0.00000613),
      /** Preemptible (spot) ECI, where ACK offers it: its own rates. */
      preemptible: eciRateSchema.optional(),
      /** Which rate the overflow pods are billed at. */
      billing: z.enum(['payAsYouGo', 'preemptible']).default('payAsYouGo'),
    })
    .default({ vcpuPerSecond: 0.000049, gibPerSecond: 0.00000613, billing: 'payAsYouGo' })
    .refine((e) => e.billing !== 'preemptible' || e.preemptible !== undefined, { message: 'billing: preemptible needs eci.preemptible with its vcpuPerSecond and gibPerSecond', path: ['billing'] }),
});
export type Prices = z.output<typeof pricesSchema>;
export type PricesInput = z.input<typeof pricesSchema>;

/** The built-in prices (sources and dates above). */
export const DEFAULT_PRICES: Prices = pricesSchema.parse({});

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
  // The estimate: half the ECI pay-as-you-go price of the node's vCPU and memory (see above).
  const perSecond = 0.5 * (pool.vcpu * DEFAULT_PRICES.eci.vcpuPerSecond + pool.memoryGiB * DEFAULT_PRICES.eci.gibPerSecond);
  return { perSecond, estimated: true, instanceType: pool.instanceType };
}

/** A scenario's or a file's prices over the built-in ones: what is not given keeps its default. */
export function mergePrices(base: Prices, over: PricesInput | undefined): Prices {
  if (!over) return base;
  return pricesSchema.parse({
    ...base,
    ...over,
    ecs: over.ecs ?? base.ecs,
    eci: { ...base.eci, ...(over.eci ?? {}) },
  });
}

/** `--cost FILE`: YAML or JSON, validated with the scenario's `cost:` schema, errors as file:line:column: field. */
export function readPricesFile(file: string): PricesInput {
  const text = readUserFileSync(file, 'cost file', { hint: 'give a YAML or JSON file with currency, ecs and eci prices (scenarios/README.md, "Cost")', maxBytes: 1024 * 1024 });
  const src = readYamlSource(text, file);
  validateYaml(src, pricesSchema);
  // The raw input: merged over the scenario's prices, so a file that sets only ECS keeps the scenario's ECI.
  return src.data as PricesInput;
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
