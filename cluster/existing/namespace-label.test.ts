import { describe, expect, it } from 'vitest';
import { retargetMonitorNamespaceLabel, retargetNamespaceLabel } from './namespace-label.ts';

describe('retargeting a fixed namespace label', () => {
  it('points namespace = from at the run namespace, and leaves every other relabeling alone', () => {
    const rs = [
      { action: 'replace', targetLabel: 'namespace', replacement: 'default' },
      { action: 'replace', targetLabel: 'service', replacement: 'nginx' },
      { targetLabel: 'namespace', replacement: 'other' },
      { sourceLabels: ['__meta_x'], targetLabel: 'namespace', replacement: 'default' },
    ];
    expect(retargetNamespaceLabel(rs, 'default', 'ebf-a')).toEqual([{ action: 'replace', targetLabel: 'namespace', replacement: 'ebf-a' }, rs[1], rs[2], rs[3]]);
  });

  it('retargets a ServiceMonitor’s endpoints without touching the input; other kinds pass through', () => {
    const sm = { kind: 'ServiceMonitor', metadata: { name: 'm' }, spec: { endpoints: [{ port: 'metrics', relabelings: [{ targetLabel: 'namespace', replacement: 'default' }] }] } };
    const out = retargetMonitorNamespaceLabel(sm, 'default', 'ebf-a');
    expect(out.spec.endpoints[0]!.relabelings[0]).toEqual({ targetLabel: 'namespace', replacement: 'ebf-a' });
    expect(sm.spec.endpoints[0]!.relabelings[0]!.replacement).toBe('default');
    const svc = { kind: 'Service', spec: { x: 1 } };
    expect(retargetMonitorNamespaceLabel(svc, 'default', 'ebf-a')).toBe(svc);
  });
});
