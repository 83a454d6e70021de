import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { NodePools } from '../cluster/nodes/config.ts';
import { nodePoolsSchema } from '../cluster/nodes/config.ts';
import type { ElasticWorkloadSpec } from '../cluster/elasticworkload/split.ts';
import type { Scenario } from '../scenarios/index.ts';
import { DEFAULT_COST, type CostModel } from './cost.ts';
import type { Behavior, HpaFlags, HpaSpec } from './hpa.ts';

/**
 * Everything the simulator models, with defaults read from manifests/base (the HPA, the
 * ElasticWorkload, the workload's requests, the ServiceMonitor interval) so the simulator and the
 * replay start from the same system; a scenario's overrides apply on top, as in the replay.
 */
export interface SystemConfig {
  hpa: HpaSpec;
  flags: HpaFlags & { syncPeriodSeconds: number };
  ew: ElasticWorkloadSpec;
  pod: { vcpu: number; memoryGiB: number };
  nodes: NodePools;
  pipeline: { slsWindowSeconds: number; exporterIntervalSeconds: number; scrapeIntervalSeconds: number; adapterRelistSeconds: number };
  devicesPerReplica: number;
  sampleEverySeconds: number;
  seed: number;
  cost: CostModel;
}

const BASE = fileURLToPath(new URL('../manifests/base/', import.meta.url));
const readYaml = (f: string) => YAML.parse(readFileSync(`${BASE}${f}`, 'utf8')) as Record<string, unknown>;

function cpu(q: string | number): number {
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
}
function gib(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(String(q));
  if (!m) return Number(q) / 2 ** 30;
  return Number(m[1]) * { Ki: 2 ** -20, Mi: 2 ** -10, Gi: 1, Ti: 1024 }[(m[2] ?? 'Gi') as 'Ki' | 'Mi' | 'Gi' | 'Ti'];
}

/** The system as manifests/base declares it. */
export function defaultSystem(): SystemConfig {
  const hpa = readYaml('autoscaling/hpa.yaml') as { spec: { minReplicas?: number; maxReplicas: number; metrics: { object: { target: { type: string; value?: string; averageValue?: string } } }[]; behavior?: Behavior } };
  const ew = readYaml('autoscaling/elasticworkload.yaml') as { spec: ElasticWorkloadSpec };
  const dep = readYaml('workload/deployment.yaml') as { spec: { template: { spec: { containers: { resources?: { requests?: { cpu?: string; memory?: string } } }[] } } } };
  const sm = readYaml('exporter/servicemonitor.yaml') as { spec: { endpoints: { interval?: string }[] } };
  const req = dep.spec.template.spec.containers[0]?.resources?.requests ?? {};
  const quantity = (q: string) => (q.endsWith('k') ? Number(q.slice(0, -1)) * 1000 : Number(q));
  return {
    hpa: {
      minReplicas: hpa.spec.minReplicas ?? 1,
      maxReplicas: hpa.spec.maxReplicas,
      metrics: hpa.spec.metrics.map((m) => {
        const t = m.object.target;
        return t.type === 'AverageValue' ? { type: 'AverageValue' as const, target: quantity(t.averageValue!) } : { type: 'Value' as const, target: quantity(t.value!) };
      }),
      ...(hpa.spec.behavior ? { behavior: hpa.spec.behavior } : {}),
    },
    flags: { tolerance: 0.1, downscaleStabilizationSeconds: 300, syncPeriodSeconds: 15 },
    ew: ew.spec,
    pod: { vcpu: cpu(req.cpu ?? '500m'), memoryGiB: gib(req.memory ?? '512Mi') },
    nodes: nodePoolsSchema.parse({}),
    pipeline: { slsWindowSeconds: 60, exporterIntervalSeconds: 15, scrapeIntervalSeconds: Number((sm.spec.endpoints[0]?.interval ?? '15s').replace(/s$/, '')), adapterRelistSeconds: 30 },
    devicesPerReplica: 1000,
    sampleEverySeconds: 15,
    seed: 1,
    cost: DEFAULT_COST,
  };
}

/** The default system with a scenario's overrides, exactly as the replay applies them. */
export function systemFromScenario(s: Scenario, base: SystemConfig = defaultSystem()): SystemConfig {
  const sys = structuredClone(base);
  const h = s.hpa;
  if (h.minReplicas !== undefined) sys.hpa.minReplicas = h.minReplicas;
  if (h.maxReplicas !== undefined) sys.hpa.maxReplicas = h.maxReplicas;
  if (h.target) sys.hpa.metrics = [{ type: h.target.type, target: h.target.value }];
  if (h.behavior) sys.hpa.behavior = h.behavior;
  if (h.tolerance !== undefined) sys.flags.tolerance = h.tolerance;
  if (h.syncPeriodSeconds !== undefined) sys.flags.syncPeriodSeconds = h.syncPeriodSeconds;
  if (h.downscaleStabilizationSeconds !== undefined) sys.flags.downscaleStabilizationSeconds = h.downscaleStabilizationSeconds;
  const e = s.elasticWorkload;
  if (e.sourceMin !== undefined) sys.ew.sourceTarget.min = e.sourceMin;
  if (e.sourceMax !== undefined) sys.ew.sourceTarget.max = e.sourceMax;
  for (const u of e.units ?? []) {
    const unit = sys.ew.elasticUnit?.find((x) => x.name === u.name);
    if (unit) Object.assign(unit, u);
  }
  if (s.nodes) sys.nodes = s.nodes;
  sys.pipeline = { ...sys.pipeline, ...s.pipeline, scrapeIntervalSeconds: s.pipeline.scrapeIntervalSeconds ?? sys.pipeline.scrapeIntervalSeconds };
  sys.devicesPerReplica = s.devicesPerReplica;
  sys.sampleEverySeconds = s.sampleEverySeconds;
  sys.seed = s.seed;
  return sys;
}
