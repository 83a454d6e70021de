import { describe, expect, it } from 'vitest';
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { eciFailureSchema, latencySchema } from './config.ts';
import { seededRandom } from './latency.ts';
import { configVersion, decideStamp, ECI_CONFIGMAP, newStampState, parseEciConfig, syncEciPod } from './eci-sync.ts';
import { ECI_FAILURE, ECI_FAILURE_MODE, ECI_LATENCY, ECI_READY_AT } from './stages.ts';

const latency = latencySchema.parse({ startSeconds: 10, imagePull: { min: 2, max: 4 }, jitterSeconds: 0 });
const pod = (name: string, annotations: Record<string, string> = {}, deleting = false): V1Pod => ({
  metadata: { name, namespace: 'ns', annotations, ...(deleting ? { deletionTimestamp: new Date() } : {}) },
});
const NOW = Date.UTC(2026, 0, 1);

describe('ECI stamping', () => {
  it('stamps a ready time drawn from the latency distribution, scaled by 1/k, once per pod', () => {
    const s = newStampState(latency, eciFailureSchema.parse({}), 10, seededRandom(1));
    const a = decideStamp(pod('p1'), s, NOW)!;
    const seconds = Number(a[ECI_LATENCY]);
    expect(seconds).toBeGreaterThanOrEqual(12);
    expect(seconds).toBeLessThanOrEqual(14);
    expect(Date.parse(a[ECI_READY_AT]!) - NOW).toBeCloseTo((seconds * 1000) / 10, -1);
    expect(decideStamp(pod('p2', { [ECI_READY_AT]: 'x' }), s, NOW)).toBeUndefined();
    expect(decideStamp(pod('p3', {}, true), s, NOW)).toBeUndefined();
    expect(s.started).toBe(1);
  });

  it('the same seed gives the same latencies (replays are reproducible)', () => {
    const draw = () => {
      const s = newStampState(latency, eciFailureSchema.parse({}), 1, seededRandom(42));
      return ['a', 'b', 'c'].map((n) => decideStamp(pod(n), s, NOW)![ECI_LATENCY]);
    };
    expect(draw()).toEqual(draw());
  });

  it('inventory failures: by name pattern, up to maxFailures, then pods start again', () => {
    const s = newStampState(latency, eciFailureSchema.parse({ mode: 'failed', podNamePattern: '^web-', maxFailures: 2, reason: 'ProviderInventoryNotEnough' }), 1, seededRandom(1));
    const stamps = ['web-1', 'api-1', 'web-2', 'web-3'].map((n) => decideStamp(pod(n), s, NOW)!);
    expect(stamps.map((a) => a[ECI_FAILURE_MODE] ?? 'ready')).toEqual(['failed', 'ready', 'failed', 'ready']);
    expect(stamps[0]![ECI_FAILURE]).toBe('ProviderInventoryNotEnough');
    expect({ started: s.started, failed: s.failed }).toEqual({ started: 2, failed: 2 });
  });

  it('a failed patch forgets the pod so its next event retries; a successful one is not repeated', async () => {
    const s = newStampState(latency, eciFailureSchema.parse({}), 1, seededRandom(1));
    const patched: string[] = [];
    let fail = true;
    const patch = async (_ns: string, name: string) => {
      if (fail) throw Object.assign(new Error('conflict'), { code: 409 });
      patched.push(name);
    };
    expect((await syncEciPod(pod('p'), s, patch, NOW)).outcome).toBe('retry');
    expect(s.started).toBe(0);
    fail = false;
    expect((await syncEciPod(pod('p'), s, patch, NOW)).outcome).toBe('stamped');
    expect((await syncEciPod(pod('p'), s, patch, NOW)).outcome).toBe('skipped');
    expect(patched).toEqual(['p']);
    expect(s.started).toBe(1);
  });
});

describe('ECI config', () => {
  const cm = (raw: string | undefined): V1ConfigMap => ({ data: raw === undefined ? {} : { [ECI_CONFIGMAP.key]: raw } });
  it('reads valid rules with a content version the writer can compute too', () => {
    const rules = eciFailureSchema.parse({ mode: 'pending', probability: 1 });
    expect(parseEciConfig(cm(JSON.stringify(rules)))).toEqual({ rules, version: configVersion(rules) });
    expect(configVersion(eciFailureSchema.parse({ probability: 0 }))).not.toBe(configVersion(rules));
  });
  it('refuses invalid rules with a message naming the ConfigMap and field, and ignores an empty one', () => {
    const r = parseEciConfig(cm(JSON.stringify({ probability: 3 })));
    expect(r && 'error' in r && r.error).toMatch(/kube-system\/ebbflow-eci failures\.json: .*probability/);
    expect(parseEciConfig(cm('{nope'))).toHaveProperty('error');
    expect(parseEciConfig(cm(undefined))).toBeUndefined();
  });
});
