import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenarios/index.ts';
import { UserError } from '../core/errors.ts';
import { parseDuration } from '../core/units.ts';
import type { ElasticWorkloadSpec } from '../cluster/elasticworkload/split.ts';
import { DEFAULT_SCRAPE_INTERVAL_SECONDS } from '../kinds/model/pipeline.ts';
import { ewWithOverrides } from '../kinds/placement/elasticworkload/index.ts';
import { ecsPodCapacity, resolveSystem, type SystemManifests } from '../kinds/system.ts';
import { harnessSystemManifests, type HarnessManifests } from '../manifests/index.ts';
import { baseManifests, costBasis, defaultSystem, runBasis, systemFromScenario } from './system.ts';

/**
 * The replay and the simulator resolve a scenario through the same function; these cases used to
 * differ between them (unknown unit, scrape-interval fallback, quantities, several metrics).
 */
const scenario = (extra = '') => parseScenario(`name: agree\ncurve: {const: 1000}\nwindows: [{start: "07:00", end: "08:00"}]\n${extra}`, 'scenarios/agree.yaml');

/** The replay's view: the manifests as the harness hands them over (objects of a rendered overlay). */
function asHarness(m: SystemManifests): HarnessManifests {
  // Discovery hands the replay the ServiceMonitor's interval already parsed (30 s when it has none).
  const interval = (m.serviceMonitor!.spec as { endpoints: { interval?: string }[] }).endpoints[0]!.interval;
  return {
    objects: [m.hpa, m.placement!, m.deployment, m.serviceMonitor!],
    hpa: m.hpa,
    placement: m.placement!,
    businessDeployment: m.deployment,
    businessService: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' } },
    adapterRulesYaml: '',
    exporterConfigYaml: '',
    scrape: { intervalSeconds: interval === undefined ? DEFAULT_SCRAPE_INTERVAL_SECONDS : parseDuration(interval), path: '/metrics', relabelings: [], metricRelabelings: [], namespace: 'default', serviceName: 'nginx', portName: 'metrics', honorLabels: false },
  };
}

function withServiceMonitorInterval(interval: string | undefined): SystemManifests {
  const m = baseManifests();
  const ep = (m.serviceMonitor!.spec as { endpoints: { interval?: string }[] }).endpoints[0]!;
  if (interval === undefined) delete ep.interval;
  else ep.interval = interval;
  return m;
}

function bothViews(m: SystemManifests, s: Awaited<ReturnType<typeof scenario>>) {
  const replay = resolveSystem(s, harnessSystemManifests(asHarness(m)));
  const sim = systemFromScenario(s, m);
  return { replay, sim };
}

describe('one resolution for replay and simulator', () => {
  it('an unknown ElasticWorkload unit is an error in both, naming the scenario file and field', async () => {
    const s = await scenario('elasticWorkload: {units: [{name: virtual-kubelet, max: 3}, {name: nope, max: 1}]}');
    const m = baseManifests();
    for (const run of [() => systemFromScenario(s, m), () => ewWithOverrides(m.placement!, s, s.file), () => resolveSystem(s, harnessSystemManifests(asHarness(m)))]) {
      const e = (() => {
        try {
          run();
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(UserError);
      expect((e as Error).message).toMatch(/^scenarios\/agree\.yaml: elasticWorkload\.units\[1\]\.name: .*no unit "nope" \(units: virtual-kubelet\)/);
    }
  });

  it('a known unit override reaches both views', async () => {
    const s = await scenario('elasticWorkload: {sourceMax: 3, units: [{name: virtual-kubelet, max: 4}]}');
    const { replay, sim } = bothViews(baseManifests(), s);
    expect(sim.placement).toEqual(replay.placement);
    expect(sim.placement.tiers[0]!.max).toBe(3);
    expect(sim.placement.tiers[1]!.max).toBe(4);
    expect((replay.placement.object!.spec as ElasticWorkloadSpec).elasticUnit?.[0]?.max).toBe(4);
  });

  it('the scrape interval comes from the ServiceMonitor through parseDuration, with one fallback', async () => {
    const s = await scenario();
    for (const [interval, seconds] of [['15s', 15], ['1m30s', 90], ['500ms', 0.5], [undefined, DEFAULT_SCRAPE_INTERVAL_SECONDS]] as const) {
      const { replay, sim } = bothViews(withServiceMonitorInterval(interval), s);
      expect(replay.pipeline.scrapeIntervalSeconds, String(interval)).toBe(seconds);
      expect(sim.pipeline.scrapeIntervalSeconds, String(interval)).toBe(seconds);
    }
    expect(DEFAULT_SCRAPE_INTERVAL_SECONDS).toBe(30);
    expect(() => systemFromScenario(s, withServiceMonitorInterval('soon'))).toThrow(/ServiceMonitor sls-exporter: spec\.endpoints\[0\]\.interval: not a duration/);
    const own = await scenario('pipeline: {scrapeIntervalSeconds: 5}');
    expect(bothViews(withServiceMonitorInterval('1m'), own).sim.pipeline.scrapeIntervalSeconds).toBe(5);
  });

  it('several metrics are kept; the scenario target overrides the first; quantities go through units.ts', async () => {
    const m = baseManifests();
    const spec = m.hpa.spec as { metrics: { type: string; object: { target: Record<string, string> } }[] };
    const second = structuredClone(spec.metrics[0]!);
    second.object.target = { type: 'AverageValue', averageValue: '2.5k' };
    spec.metrics.push(second);
    const plain = bothViews(m, await scenario());
    expect(plain.sim.hpa.metrics).toEqual([{ type: 'AverageValue', target: 1000 }, { type: 'AverageValue', target: 2500 }]);
    const s = await scenario('hpa: {target: {type: AverageValue, value: 800}, maxReplicas: 7}');
    const { replay, sim } = bothViews(m, s);
    expect(sim.hpa).toEqual(replay.hpa);
    expect(sim.hpa.metrics).toEqual([{ type: 'AverageValue', target: 800 }, { type: 'AverageValue', target: 2500 }]);
    const applied = replay.hpaObject.spec as { maxReplicas: number; metrics: { object: { target: object } }[] };
    expect(applied.maxReplicas).toBe(7);
    expect(applied.metrics.map((x) => x.object.target)).toEqual([{ type: 'AverageValue', averageValue: '800' }, { type: 'AverageValue', averageValue: '2.5k' }]);
  });

  it('workload requests and node capacities in any quantity unit ("16384Mi" is 16 GiB, not NaN)', async () => {
    const m = baseManifests();
    const containers = (m.deployment.spec as { template: { spec: { containers: { resources: { requests: Record<string, string> } }[] } } }).template.spec.containers;
    containers[0]!.resources.requests = { cpu: '0.5', memory: '0.5Gi' };
    containers.push({ resources: { requests: { cpu: '250m', memory: '524288Ki' } } } as never);
    const s = await scenario('nodes: {ecs: [{name: big, count: 2, cpu: "64", memory: "16384Mi", pods: 100}]}');
    const { replay, sim } = bothViews(m, s);
    expect(sim.pod).toEqual({ vcpu: 0.75, memoryGiB: 1 });
    expect(replay.pod).toEqual(sim.pod);
    // Memory bounds it: 16 GiB / 1 GiB = 16 pods per node (CPU would allow 85, the pods limit 100).
    expect(ecsPodCapacity(sim.nodes, sim.pod)).toBe(32);
    expect(ecsPodCapacity({ ecs: [{ ...sim.nodes.ecs[0]!, memory: '16Gi' }] }, sim.pod)).toBe(32);
  });

  it('a bad quantity in the manifests names the file, object and field', () => {
    const m = baseManifests();
    ((m.hpa.spec as { metrics: { object: { target: Record<string, string> } }[] }).metrics[0]!.object.target).averageValue = 'lots';
    expect(() => resolveSystem({}, m)).toThrow(/manifests\/base: HorizontalPodAutoscaler nginx: spec\.metrics\[0\]\.object\.target\.averageValue: not a Kubernetes quantity: "lots"/);
  });

  it('the bare manifests resolve to the kcm and pipeline defaults', () => {
    const s = defaultSystem();
    expect(s.flags).toEqual({ tolerance: 0.1, downscaleStabilizationSeconds: 300, syncPeriodSeconds: 15 });
    expect(s.pipeline).toEqual({ slsWindowSeconds: 60, exporterIntervalSeconds: 15, scrapeIntervalSeconds: 15, adapterRelistSeconds: 30 });
    expect(s.pod).toEqual({ vcpu: 0.5, memoryGiB: 0.5 });
  });
});


describe('prices of the system', () => {
  it("the scenario's cost: over the built-in prices, the region the ECI node's, the same basis for the replay's report", async () => {
    const s = await scenario('nodes: {ecs: [{name: big, count: 2, instanceType: ecs.g7.2xlarge, cpu: "8", memory: 32Gi}], eci: {region: cn-shanghai}}\ncost: {ecs: [{pool: big, instanceType: ecs.g7.2xlarge, pricePerNode: 10, per: day}]}\n');
    const sys = systemFromScenario(s);
    expect(sys.cost).toMatchObject({ currency: 'CNY', region: 'cn-shanghai', eciBuiltIn: true });
    const basis = runBasis(s, resolveSystem(s, harnessSystemManifests(asHarness(baseManifests()))));
    expect(basis.cost).toEqual(costBasis(sys));
    expect(basis.cost!.ecsPools).toEqual([{ name: 'big', instanceType: 'ecs.g7.2xlarge', count: 2, vcpu: 8, memoryGiB: 32 }]);
    expect(basis.settings.maxReplicas).toBe(sys.hpa.maxReplicas);
  });

  it('refuses a price for a pool that does not exist, and a pool left on the CNY estimate in another currency', async () => {
    const typo = await scenario('cost: {ecs: [{pool: ecss, instanceType: ecs.g7.xlarge, pricePerNode: 1}]}');
    expect(() => systemFromScenario(typo)).toThrow(/cost\.ecs\[0\]\.pool: no ECS node pool named "ecss"/);
    const usd = await scenario('cost: {currency: USD, eci: {vcpuPerSecond: 1, gibPerSecond: 1}}');
    expect(() => systemFromScenario(usd)).toThrow(/no ECS price for pool "ecs"/);
  });
});

describe("the checks and the cost per tier speak the placement kind's words", () => {
  it('a UnitedDeployment run: its basis names the ECS and ECI subsets in the messages and per tier', async () => {
    const { loadScenario } = await import('../scenarios/index.ts');
    const { checkAll } = await import('../core/checks/checks.ts');
    const { runMeasures } = await import('../core/checks/measures.ts');
    const { loadSystemManifests } = await import('./system.ts');
    const { simulate } = await import('./simulate.ts');
    const dir = new URL('../kinds/placement/uniteddeployment/testdata/ack-hpa/', import.meta.url).pathname;
    const s = await loadScenario(`${dir}scenario.yaml`);
    const sys = systemFromScenario(s, await loadSystemManifests(`${dir}manifests.yaml`));
    const basis = runBasis(s, sys);
    const { timeline } = simulate(s, sys, { settings: basis.settings });
    const messages = checkAll(timeline!, s.expectations, undefined, basis.tiers, basis).map((r) => r.message).join('\n');
    expect(messages).toMatch(/no ECS subset pod was removed while ECI subset pods existed/);
    expect(messages).not.toMatch(/\bsource\b|\bunit\b/);
    const perTier = runMeasures(timeline!, basis).cost!.perTier!;
    expect(perTier.map((t) => t.name)).toEqual(['ECS subset', 'ECI subset']);
    // The ElasticWorkload keeps its own words.
    expect(runBasis(s, systemFromScenario(s)).tiers!.words).toEqual({ cheapest: 'source', overflow: 'unit' });
  });
});
