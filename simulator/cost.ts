/**
 * Cost model: subscription ECS nodes (monthly price per node) versus pay-as-you-go ECI (per vCPU-second
 * and GiB-second). Every figure can be overridden in a scenario or on the command line.
 *
 * Defaults (CNY), retrieved 2026-11-25:
 * - ECI vCPU 0.000049 CNY/s and memory 0.00000613 CNY/GiB/s: Alibaba Cloud, "ECI实例计费"
 *   (https://help.aliyun.com/zh/eci/product-overview/elastic-container-instances), mainland China regions.
 * - ECS subscription: Alibaba Cloud states that ECI reserved instances cost the same as subscription ECS
 *   of the same type and save up to 50 % against pay-as-you-go ECI
 *   (https://www.alibabacloud.com/help/doc-detail/89142.htm). A 4 vCPU / 16 GiB node
 *   (ecs.g7.xlarge-sized) is therefore estimated at 50 % × (4 × 0.1764 + 16 × 0.0221) CNY/h × 730 h
 *   ≈ 386.6 CNY/month. This is an estimate, not a list price: set `ecsMonthlyPerNode` from your bill.
 */
export interface CostModel {
  currency: string;
  ecsMonthlyPerNode: number;
  eciVcpuPerSecond: number;
  eciGibPerSecond: number;
}

export const DEFAULT_COST: CostModel = {
  currency: 'CNY',
  ecsMonthlyPerNode: 0.5 * (4 * 0.1764 + 16 * 0.0221) * 730,
  eciVcpuPerSecond: 0.000049,
  eciGibPerSecond: 0.00000613,
};

const MONTH_SECONDS = 730 * 3600;

/** ECS cost of `nodes` subscription nodes over `seconds` (prorated from the monthly price). */
export function ecsCost(m: CostModel, nodes: number, seconds: number): number {
  return (m.ecsMonthlyPerNode * nodes * seconds) / MONTH_SECONDS;
}

/** ECI cost of pod-seconds at the pod's requests (ECI bills the requested vCPU and memory). */
export function eciCost(m: CostModel, podSeconds: number, vcpu: number, memoryGiB: number): number {
  return podSeconds * (vcpu * m.eciVcpuPerSecond + memoryGiB * m.eciGibPerSecond);
}
