import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../scenarios/index.ts';
import { scalerKind } from '../../kinds/registry.ts';
import type { KubeObject } from '../../kinds/model/objects.ts';
import { planReplay, timelineMeta } from './plan.ts';
import { checkBackend } from './backends/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

type Trigger = { type: string; metadata: Record<string, string> };
const triggersOf = (o: KubeObject) => (o.spec as { triggers: Trigger[] }).triggers;

describe('a replay of KEDA manifests', () => {
  it('applies the ScaledObject with its times compressed and records the HPA KEDA generates (prometheus trigger)', async () => {
    const scenario = await loadScenario(`${ROOT}scenarios/smoke-keda.yaml`);
    const plan = await planReplay({ scenario });
    expect(plan.hpa.kind).toBe('ScaledObject');
    expect(plan.hpaName).toBe('keda-hpa-nginx');
    const spec = plan.hpa.spec as { cooldownPeriod: number; pollingInterval: number; minReplicaCount: number; maxReplicaCount: number };
    // 300 s and 15 s at k=60: KEDA takes whole seconds, at least 1.
    expect(spec.cooldownPeriod).toBe(5);
    expect(spec.pollingInterval).toBe(1);
    // The scenario's hpa: is where KEDA reads it.
    expect([spec.minReplicaCount, spec.maxReplicaCount]).toEqual([1, 12]);
    expect(timelineMeta(plan).notes.join('\n')).toMatch(/ScaledObject nginx → HPA keda-hpa-nginx: AverageValue 1000, min 1, max 12/);
    // The run's Prometheus replaces the team's Service address just before the apply.
    const applied = scalerKind(plan.system.scaler).retarget!(plan.hpa, { prometheusUrl: 'http://127.0.0.1:39090' });
    expect(triggersOf(applied)[0]!.metadata.serverAddress).toBe('http://127.0.0.1:39090');
    expect(triggersOf(plan.hpa)[0]!.metadata.serverAddress).toMatch(/svc/);
    expect(plan.externalScaler).toBe(false);
    // The prometheus trigger reads what Prometheus scraped: the scrape interval stays in the model.
    expect(plan.system.pipeline.scrapeIntervalSeconds).toBeGreaterThan(1);
    // KEDA asks Prometheus at whole seconds of its clock: the backends put a proxy on the virtual clock's seconds between.
    expect(plan.system.queryResolutionSeconds).toBe(1);
  });

  it('asks for the SLS scaler when the trigger is external, and points scalerAddress at the run\'s', async () => {
    const scenario = await loadScenario(`${ROOT}scenarios/smoke-keda-sls.yaml`);
    const plan = await planReplay({ scenario });
    const kind = scalerKind(plan.system.scaler);
    expect(plan.externalScaler).toBe(true);
    expect(triggersOf(kind.retarget!(plan.hpa, { externalScaler: '127.0.0.1:40001' }))[0]!.metadata.scalerAddress).toBe('127.0.0.1:40001');
    // KEDA asks the scaler live on each HPA sync: a 1 s read instead of a scrape.
    expect(plan.system.pipeline.scrapeIntervalSeconds).toBe(1);
    expect(plan.system.queryResolutionSeconds).toBeUndefined();
  });

  it('builds KEDA before a local or kind run starts, for either trigger (the SLS scaler runs on the host beside KEDA on both)', async () => {
    const prom = await planReplay({ scenario: await loadScenario(`${ROOT}scenarios/smoke-keda.yaml`) });
    expect((await checkBackend('local', prom, {})).toolchain).toEqual(expect.arrayContaining(['keda-operator', 'keda-metrics-apiserver']));
    expect((await checkBackend('kind', prom, {})).toolchain).toEqual(expect.arrayContaining(['keda-operator', 'keda-metrics-apiserver']));
    const sls = await planReplay({ scenario: await loadScenario(`${ROOT}scenarios/smoke-keda-sls.yaml`) });
    expect((await checkBackend('kind', sls, {})).toolchain).toEqual(expect.arrayContaining(['keda-operator', 'keda-metrics-apiserver', 'kind']));
    const hpa = await planReplay({ scenario: await loadScenario(`${ROOT}scenarios/tiny.yaml`) });
    expect((await checkBackend('local', hpa, {})).toolchain).not.toContain('keda-operator');
  });
});
