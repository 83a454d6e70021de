import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_ECI, DEFAULT_PRICES, MONTH_HOURS, ecsNodePricePerSecond, eciPodPricePerSecond, formatMoney, layerPrices, periodLabel, pricesSchema, readPricesFile, resolvePrices } from './prices.ts';

const dir = mkdtempSync(join(tmpdir(), 'ebf-prices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const pool = { name: 'ecs', instanceType: 'ecs.g7.xlarge', count: 3, vcpu: 4, memoryGiB: 16 };

describe('prices', () => {
  it('built in: ECI list prices in CNY, ECS estimated at half the ECI price of the node (≈ 386.6 CNY/month for 4 vCPU / 16 GiB)', () => {
    expect(DEFAULT_PRICES).toMatchObject({ currency: 'CNY', eci: { ...BUILTIN_ECI, billing: 'payAsYouGo' }, eciBuiltIn: true, ecs: [] });
    const p = ecsNodePricePerSecond(DEFAULT_PRICES, pool);
    expect(p.estimated).toBe(true);
    expect(p.perSecond * MONTH_HOURS * 3600).toBeCloseTo(0.5 * (4 * 0.1764 + 16 * 0.022068) * 730, 1);
  });

  it('your ECS price per pool, else per instance type, in any period', () => {
    const p = resolvePrices([{ ecs: [{ instanceType: 'ecs.g7.xlarge', pricePerNode: 24, per: 'day' }, { pool: 'big', instanceType: 'ecs.g7.2xlarge', pricePerNode: 2, per: 'hour' }] }]);
    expect(ecsNodePricePerSecond(p, pool)).toEqual({ perSecond: 24 / 86_400, estimated: false, instanceType: 'ecs.g7.xlarge' });
    expect(ecsNodePricePerSecond(p, { ...pool, name: 'big', instanceType: 'ecs.g7.2xlarge' }).perSecond).toBe(2 / 3600);
    // Without `per`, a price is monthly (730 h).
    expect(ecsNodePricePerSecond(resolvePrices([{ ecs: [{ instanceType: 'ecs.g7.xlarge', pricePerNode: 730 }] }]), pool).perSecond).toBe(1 / 3600);
  });

  it('ECI at the pod requests, pay-as-you-go or preemptible', () => {
    const pod = { vcpu: 2, memoryGiB: 4 };
    expect(eciPodPricePerSecond(DEFAULT_PRICES, pod)).toBeCloseTo(2 * BUILTIN_ECI.vcpuPerSecond + 4 * BUILTIN_ECI.gibPerSecond, 12);
    const spot = resolvePrices([{ eci: { preemptible: { vcpuPerSecond: 0.00001, gibPerSecond: 0.000001 }, billing: 'preemptible' } }]);
    expect(eciPodPricePerSecond(spot, pod)).toBeCloseTo(2 * 0.00001 + 4 * 0.000001, 12);
  });

  it('layers: a --cost file over the scenario, field by field; its ECS entries match first', () => {
    const scenario = { source: 'scenario', ecs: [{ instanceType: 'ecs.g7.xlarge', pricePerNode: 100 }], eci: { vcpuPerSecond: 1, gibPerSecond: 2 } };
    const p = resolvePrices([layerPrices(scenario, { ecs: [{ instanceType: 'ecs.g7.xlarge', pricePerNode: 200 }], eci: { gibPerSecond: 3 } })], { region: 'cn-beijing' });
    expect(p).toMatchObject({ source: 'scenario', region: 'cn-beijing', eci: { vcpuPerSecond: 1, gibPerSecond: 3 }, eciBuiltIn: false });
    expect(ecsNodePricePerSecond(p, pool).perSecond).toBe(200 / (MONTH_HOURS * 3600));
  });

  it('refuses another currency without its own ECI rates, and uses no CNY estimate for it', () => {
    expect(pricesSchema.safeParse({ currency: 'USD' }).success).toBe(false);
    expect(pricesSchema.safeParse({ currency: 'USD', eci: { vcpuPerSecond: 1, gibPerSecond: 1 } }).success).toBe(true);
    const usd = resolvePrices([{ currency: 'USD', eci: { vcpuPerSecond: 1, gibPerSecond: 1 } }]);
    expect(() => ecsNodePricePerSecond(usd, pool)).toThrow(/no ECS price for pool "ecs" \(ecs.g7.xlarge\) in USD/);
    expect(pricesSchema.safeParse({ eci: { billing: 'preemptible' } }).success).toBe(false);
  });

  it('--cost FILE: YAML or JSON, errors at file:line:column: field', () => {
    expect(readPricesFile(file('ok.json', '{"currency": "CNY", "ecs": [{"instanceType": "ecs.g7.xlarge", "pricePerNode": 386.6}]}'))).toMatchObject({ ecs: [{ pricePerNode: 386.6 }] });
    const bad = file('bad.yaml', 'currency: CNY\necs:\n  - instanceType: ecs.g7.xlarge\n    pricePerNode: -1\neci:\n  gbPerSecond: 1\n');
    expect(() => readPricesFile(bad)).toThrow(`${bad}:4:5: ecs[0].pricePerNode:`);
    expect(() => readPricesFile(bad)).toThrow(`${bad}:6:3: eci.gbPerSecond: Unrecognized key`);
  });

  it('prints every figure with its currency and period', () => {
    expect(formatMoney(5.7, 'CNY', 86_400)).toBe('5.70 CNY/day');
    expect(formatMoney(40, 'USD', 7 * 86_400)).toBe('40.00 USD/7 days');
    expect(formatMoney(1.416, 'CNY', 3 * 3600)).toBe('1.42 CNY/3 h');
    expect(periodLabel(1.5 * 3600)).toBe('1.5 h');
    expect(periodLabel(20 * 60)).toBe('20 min');
  });
});
