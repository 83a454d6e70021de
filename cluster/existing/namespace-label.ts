/**
 * A run on an existing cluster moves the HPA into the namespace it owns, so a relabeling that pins
 * the series' `namespace` label to the manifests' namespace (the base's ServiceMonitor sets
 * `namespace: default`, since the exporter lives in its own namespace apart from the HPA) must
 * follow, or the adapter serves the metric where the HPA no longer looks. Pure.
 */

type Relabel = { targetLabel?: string; replacement?: string; sourceLabels?: unknown; action?: string };

/** The relabelings with every fixed `namespace` = `from` pointed at `to`; others unchanged. */
export function retargetNamespaceLabel<T extends object>(relabelings: T[], from: string, to: string): T[] {
  return relabelings.map((r) => {
    const x = r as Relabel;
    const fixed = x.targetLabel === 'namespace' && x.replacement === from && x.sourceLabels === undefined && (x.action ?? 'replace') === 'replace';
    return fixed ? ({ ...r, replacement: to } as T) : r;
  });
}

type Monitor = { kind: string; spec?: unknown };
type Endpoints = { endpoints?: { relabelings?: object[] }[]; podMetricsEndpoints?: { relabelings?: object[] }[] };

/** A ServiceMonitor or PodMonitor with its endpoints' namespace relabelings retargeted; any other object as it is. */
export function retargetMonitorNamespaceLabel<T extends Monitor>(o: T, from: string, to: string): T {
  if (o.kind !== 'ServiceMonitor' && o.kind !== 'PodMonitor') return o;
  const spec = structuredClone(o.spec ?? {}) as Endpoints;
  for (const e of [...(spec.endpoints ?? []), ...(spec.podMetricsEndpoints ?? [])]) if (e.relabelings) e.relabelings = retargetNamespaceLabel(e.relabelings, from, to);
  return { ...o, spec };
}
