import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../core/units.ts';
import { chainVerdict, computedDropWarning, hpaObjectMetricValue, metricChain, stuckMetricError, type StageValue } from './stuck-metric.ts';

const stuckStage = (c: StageValue[]) => chainVerdict(c).stuck;

const chain = (...v: (number | undefined)[]): StageValue[] => (['source', 'exporter', 'prometheus', 'adapter', 'hpa'] as const).map((stage, i) => ({ stage, value: v[i] }));

describe('stuckStage', () => {
  it('names the first stage that serves 0 while the source holds devices', () => {
    expect(stuckStage(chain(3000, 0, 0, 0, 0))).toEqual({ stage: 'exporter', value: 0, upstream: 'source', upstreamValue: 3000 });
    expect(stuckStage(chain(3000, 2990, 0, 0, 0))).toEqual({ stage: 'prometheus', value: 0, upstream: 'exporter', upstreamValue: 2990 });
    expect(stuckStage(chain(3000, 2990, 2990, 0, 0))).toMatchObject({ stage: 'adapter', upstream: 'prometheus' });
    expect(stuckStage(chain(3000, 2990, 2990, 2990, 0))).toMatchObject({ stage: 'hpa', upstream: 'adapter' });
  });

  it('a stage far below the one before it holds the metric back; one not observed is skipped unless nothing past the source serves', () => {
    // The exporter may publish the series under a name the adapter renames: not observed, not wrong.
    expect(stuckStage(chain(3000, undefined, undefined, 2990, 2990))).toBeUndefined();
    expect(stuckStage(chain(3000, undefined, undefined, 0, 0))).toEqual({ stage: 'adapter', value: 0, upstream: 'source', upstreamValue: 3000 });
    expect(stuckStage(chain(3000, undefined, undefined, undefined, undefined))).toEqual({ stage: 'exporter', value: undefined, upstream: 'source', upstreamValue: 3000 });
    expect(stuckStage(chain(3000, 29, 29, 29, 29))).toMatchObject({ stage: 'exporter', value: 29 });
    expect(stuckStage(chain(3000, 31, 31, 31, 31))).toBeUndefined();
  });

  it('accepts a chain that carries the count (exporter and HPA lagging a little), and a source at 0', () => {
    expect(stuckStage(chain(3000, 2800, 2750, 2750, 2700))).toBeUndefined();
    expect(stuckStage(chain(0, 0, 0, 0, 0))).toBeUndefined();
    expect(stuckStage(metricChain({ source: 1500, held: 0, exporter: 0 }))).toMatchObject({ stage: 'sls-events', upstream: 'source' });
    expect(stuckStage(metricChain({ source: 1500, held: 1490, exporter: 0, prometheus: 0 }))).toMatchObject({ stage: 'exporter', upstream: 'sls-events', upstreamValue: 1490 });
  });

  it('an exporter whose queries the fake SLS answered computed its 0: a finding, reported, and the stages after it carry that 0', () => {
    const wrongQuery = metricChain({ source: 400, held: 400, exporter: 0, exporterQueried: true, prometheus: 0, adapter: 0, hpa: 0 });
    expect(chainVerdict(wrongQuery)).toEqual({ computedDrop: { stage: 'exporter', value: 0, upstream: 'sls-events', upstreamValue: 400 } });
    expect(computedDropWarning(chainVerdict(wrongQuery).computedDrop!, 'active_devices')).toMatch(/answered active_devices = 0 while sls-events held 400; the replay runs on that value/);
    // Never queried (a name that does not resolve, a refused key): the same 0 is the environment's.
    expect(chainVerdict(metricChain({ source: 400, held: 400, exporter: 0, exporterQueried: false, prometheus: 0, adapter: 0, hpa: 0 })).stuck).toMatchObject({ stage: 'exporter' });
    // A computed value that Prometheus then loses is still stuck there.
    expect(chainVerdict(metricChain({ source: 400, exporter: 2, exporterQueried: true, prometheus: 0 })).stuck).toMatchObject({ stage: 'prometheus', upstream: 'exporter', upstreamValue: 2 });
  });
});

describe('hpaObjectMetricValue', () => {
  const status = (current: object, currentReplicas = 3) => ({ currentReplicas, currentMetrics: [{ type: 'Object', object: { metric: { name: 'active_devices' }, current } }] });
  it('reads a Value target as is and an AverageValue target times the replicas', () => {
    expect(hpaObjectMetricValue(status({ value: '2500' }), 'active_devices', parseQuantity)).toBe(2500);
    expect(hpaObjectMetricValue(status({ averageValue: '833m' }), 'active_devices', parseQuantity)).toBeCloseTo(2.499);
    expect(hpaObjectMetricValue(status({ averageValue: '0' }), 'active_devices', parseQuantity)).toBe(0);
    expect(hpaObjectMetricValue(status({ value: '1' }), 'other', parseQuantity)).toBeUndefined();
    expect(hpaObjectMetricValue(undefined, 'active_devices', parseQuantity)).toBeUndefined();
    // KEDA's generated HPA: its External metric under KEDA's name is the HPA's view; a 0 is a stage serving 0, not an unobserved one.
    const keda = (current: object) => ({ currentReplicas: 3, currentMetrics: [{ type: 'External', external: { metric: { name: 's0-prometheus' }, current } }] });
    expect(hpaObjectMetricValue(keda({ averageValue: '710' }), 'active_devices', parseQuantity)).toBe(2130);
    expect(hpaObjectMetricValue(keda({ averageValue: '0' }), 'active_devices', parseQuantity)).toBe(0);
    expect(chainVerdict(metricChain({ source: 2129, exporter: 2129, prometheus: undefined, adapter: undefined, hpa: hpaObjectMetricValue(keda({ averageValue: '0' }), 'active_devices', parseQuantity) })).stuck?.stage).toBe('hpa');
  });
});

describe('stuckMetricError', () => {
  it('says which stage holds the wrong value, the chain, the fix and the exporter’s last lines', () => {
    const c = chain(3000, 0, 0, 0, 0);
    const e = stuckMetricError(stuckStage(c)!, c, { metric: 'active_devices', where: { exporter: 'http://127.0.0.1:9464/metrics' }, exporterLog: ['ERROR getaddrinfo ENOTFOUND chat-prod.localhost'], warmupSeconds: 120 });
    expect(e.name).toBe('UserError');
    expect(e.message).toMatch(/^warm-up: active_devices stayed at 0 in exporter \(http:\/\/127\.0\.0\.1:9464\/metrics\) for the whole warm-up \(120 s\) while source held 3000/);
    expect(e.message).toContain('source 3000 → exporter 0 → prometheus 0 → adapter 0 → hpa 0');
    expect(e.message).toContain("the exporter's last log lines:\n  ERROR getaddrinfo ENOTFOUND chat-prod.localhost");
    expect(e.hint).toMatch(/\/etc\/hosts/);
    // Pods' logs are not the harness's: no log section then.
    expect(stuckMetricError(stuckStage(c)!, c, { metric: 'm', where: {}, warmupSeconds: 1 }).message).not.toContain('log lines');
  });
});
