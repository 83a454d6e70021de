import { describe, expect, it } from 'vitest';
import { isActive, parseTrigger, pickValue, sameMetric, TriggerError } from './keda-trigger.ts';

const spec = (md: Record<string, string>, configured = ['active_devices', 'sessions']) => parseTrigger(md, configured);
const fresh = (samples: { labels: Record<string, string>; value: number }[]) => ({ samples, lastError: undefined, lastSuccess: 1 });
const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof TriggerError ? `${e.status}: ${e.message}` : `not a TriggerError: ${String(e)}`;
  }
  return 'no error';
};

describe('KEDA trigger metadata', () => {
  it('reads metric, targetValue, activationValue and labels', () => {
    expect(spec({ metric: 'sessions', targetValue: '250.5', activationValue: '3', labels: 'region = cn-hangzhou, tier=gold', scalerAddress: 'x:9090' })).toEqual({ metric: 'sessions', targetValue: 250.5, activationValue: 3, labels: { region: 'cn-hangzhou', tier: 'gold' } });
    expect(spec({ targetValue: '1' }, ['only'])).toMatchObject({ metric: 'only', activationValue: 0, labels: {} });
  });

  it('refuses what it cannot serve, naming the key', () => {
    expect(status(() => spec({ targetValue: '1' }))).toMatch(/^INVALID_ARGUMENT: trigger metadata metric: missing; this scaler serves active_devices, sessions/);
    expect(status(() => spec({ metric: 'nope', targetValue: '1' }))).toMatch(/^NOT_FOUND: .*"nope"/);
    for (const bad of ['0', '-1', 'abc', '1e999', 'Infinity', '']) expect(status(() => spec({ metric: 'sessions', targetValue: bad })), bad).toMatch(/^INVALID_ARGUMENT: trigger metadata targetValue/);
    expect(status(() => spec({ metric: 'sessions', targetValue: '1', activationValue: '-2' }))).toMatch(/^INVALID_ARGUMENT: trigger metadata activationValue/);
    expect(status(() => spec({ metric: 'sessions', targetValue: '1', labels: 'region' }))).toMatch(/^INVALID_ARGUMENT: trigger metadata labels: "region"/);
  });

  it('accepts the metric name KEDA indexes (s0-…) as the same metric', () => {
    expect(sameMetric('s0-active_devices', 'active_devices')).toBe(true);
    expect(sameMetric('s12-active_devices', 'active_devices')).toBe(true);
    expect(sameMetric('active_devices', 'active_devices')).toBe(true);
    expect(sameMetric('s0-sessions', 'active_devices')).toBe(false);
  });
});

describe('the value a trigger scales on', () => {
  const s = spec({ metric: 'sessions', targetValue: '10' });
  it('is the one sample, or the one the labels select', () => {
    expect(pickValue(s, fresh([{ labels: {}, value: 42 }]))).toBe(42);
    const byRegion = fresh([{ labels: { region: 'a' }, value: 1 }, { labels: { region: 'b' }, value: 2 }]);
    expect(pickValue(spec({ metric: 'sessions', targetValue: '10', labels: 'region=b' }), byRegion)).toBe(2);
    expect(status(() => pickValue(s, byRegion))).toMatch(/^FAILED_PRECONDITION: .*2 samples match/);
    expect(status(() => pickValue(spec({ metric: 'sessions', targetValue: '10', labels: 'region=c' }), byRegion))).toMatch(/^FAILED_PRECONDITION: .*no sample has labels/);
  });

  it('is UNAVAILABLE, never a number, without a fresh answer', () => {
    expect(status(() => pickValue(s, { samples: undefined, lastError: undefined, lastSuccess: undefined }))).toMatch(/^UNAVAILABLE: .*no good answer from SLS yet; no query has ended yet/);
    expect(status(() => pickValue(s, { samples: undefined, lastError: { code: 'ServerBusy', message: 'busy' }, lastSuccess: 5 }))).toMatch(/^UNAVAILABLE: .*older than maxStaleness; last error ServerBusy: busy/);
  });

  it('is active strictly above the activation value: zero devices is never active', () => {
    expect(isActive(0, s)).toBe(false);
    expect(isActive(0.5, s)).toBe(true);
    const a = spec({ metric: 'sessions', targetValue: '10', activationValue: '100' });
    expect(isActive(100, a)).toBe(false);
    expect(isActive(101, a)).toBe(true);
  });
});

describe('the shipped example config', () => {
  it('is a scaler config the scaler reads (and the exporter\'s schema refuses, by its grpc:)', async () => {
    const { readFileSync } = await import('node:fs');
    const { parseKedaScalerConfig, parseExporterConfig } = await import('./index.ts');
    const text = readFileSync(new URL('./keda-scaler.example.yaml', import.meta.url), 'utf8');
    const c = parseKedaScalerConfig(text, 'keda-scaler.example.yaml', {});
    expect(c.grpc).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(parseKedaScalerConfig(text, 'x', { KEDA_SCALER_GRPC_PORT: '9191' }).grpc.port).toBe(9191);
    expect(() => parseExporterConfig(text, 'x', {})).toThrow(/grpc/);
  });
});
