import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../model/objects.ts';
import { needsExternalScaler, queryResolutionSeconds, readsLive, replayedScaledObject, retargetScaledObject } from './replay.ts';

const so = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'web', namespace: 'ns' }, spec: { scaleTargetRef: { name: 'web' }, ...spec } });
const halve = (b: Record<string, unknown>) => ({ ...b, halved: true });

describe('a ScaledObject in a replay', () => {
  it('compresses its HPA behavior as the HPA\'s and its seconds by k, whole and at least 1', () => {
    const r = replayedScaledObject(so({ minReplicaCount: 1, pollingInterval: 30, cooldownPeriod: 300, advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } } } }), { k: 60, compressBehavior: halve });
    const spec = r.object.spec as { pollingInterval: number; cooldownPeriod: number; advanced: { horizontalPodAutoscalerConfig: { behavior: Record<string, unknown> } } };
    expect(spec.pollingInterval).toBe(1);
    expect(spec.cooldownPeriod).toBe(5);
    expect(spec.advanced.horizontalPodAutoscalerConfig.behavior).toEqual({ scaleDown: { stabilizationWindowSeconds: 300 }, halved: true });
    expect(r.hpaName).toBe('keda-hpa-web');
    // Never scaled to zero: polling decides nothing the run measures.
    expect(r.warnings).toEqual([]);
  });

  it('says when a poll that decides scale-from-zero cannot shrink to its compressed length', () => {
    const r = replayedScaledObject(so({ minReplicaCount: 0, pollingInterval: 15 }), { k: 60, compressBehavior: halve });
    expect(r.warnings.join('\n')).toMatch(/pollingInterval 15 s runs as 1 s at k=60 \(60 virtual s\)/);
    // Defaults are compressed too (cooldown 300 s → 5 s).
    expect((r.object.spec as { cooldownPeriod: number }).cooldownPeriod).toBe(5);
  });

  it('names the generated HPA as KEDA does when the ScaledObject names it', () => {
    expect(replayedScaledObject(so({ advanced: { horizontalPodAutoscalerConfig: { name: 'mine' } } }), { k: 1, compressBehavior: halve }).hpaName).toBe('mine');
  });

  it('points prometheus and external triggers at the run\'s addresses and leaves other triggers and the input alone', () => {
    const o = so({ triggers: [
      { type: 'prometheus', metadata: { serverAddress: 'http://prom.monitoring.svc:9090', query: 'q' } },
      { type: 'external', metadata: { scalerAddress: 'scaler.ns.svc:9090' } },
      { type: 'metrics-api', metadata: { url: 'http://x/' } },
    ] });
    const r = retargetScaledObject(o, { prometheusUrl: 'http://127.0.0.1:1', externalScaler: '127.0.0.1:2' });
    const md = (r.spec as { triggers: { metadata: Record<string, string> }[] }).triggers.map((t) => t.metadata);
    expect(md).toEqual([{ serverAddress: 'http://127.0.0.1:1', query: 'q' }, { scalerAddress: '127.0.0.1:2' }, { url: 'http://x/' }]);
    expect((o.spec as { triggers: { metadata: Record<string, string> }[] }).triggers[0]!.metadata.serverAddress).toBe('http://prom.monitoring.svc:9090');
    expect(needsExternalScaler(o)).toBe(true);
    expect(needsExternalScaler(so({ triggers: [{ type: 'prometheus' }] }))).toBe(false);
  });

  it('reads live unless Prometheus stands between (its scrape interval then applies)', () => {
    expect(readsLive(so({ triggers: [{ type: 'external' }] }))).toBe(true);
    expect(readsLive(so({ triggers: [{ type: 'prometheus' }] }))).toBe(false);
  });

  it('asks Prometheus at whole seconds (a prometheus trigger); the SLS scaler answers for its now', () => {
    expect(queryResolutionSeconds(so({ triggers: [{ type: 'prometheus' }] }))).toBe(1);
    expect(queryResolutionSeconds(so({ triggers: [{ type: 'external' }] }))).toBe(0);
  });
});
