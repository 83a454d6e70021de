import type { V1APIService } from '@kubernetes/client-node';
import { UserError } from '../../core/errors.ts';

/**
 * Who serves `external.metrics.k8s.io` on a cluster ebbflow did not create. One APIService per
 * group-version: KEDA's metrics apiserver and an adapter's external rules (prometheus-adapter's
 * `externalRules`, ACK's alibaba-cloud-metrics-adapter) cannot both have it, and an HPA KEDA
 * generates asks whoever does. Pure: the APIService in, a finding and its advice out.
 */
export const EXTERNAL_METRICS_APISERVICE = 'v1beta1.external.metrics.k8s.io';

export type ExternalMetricsOwner =
  | { owner: 'none' }
  | { owner: 'keda' | 'adapter' | 'other'; apiService: string; service: string; available: boolean; condition?: string };

const KEDA = /keda/i;
const ADAPTER = /adapter|custom-metrics|metrics-server|datadog|stackdriver|newrelic/i;

/** Who owns the APIService, by its Service's name and its labels (KEDA's chart and manifests name theirs `keda-…metrics-apiserver`). */
export function externalMetricsOwner(a: V1APIService | undefined): ExternalMetricsOwner {
  if (!a) return { owner: 'none' };
  const svc = a.spec?.service;
  const labels = Object.values(a.metadata?.labels ?? {}).join(' ');
  const names = `${svc?.name ?? ''} ${svc?.namespace ?? ''} ${labels}`;
  const cond = a.status?.conditions?.find((c) => c.type === 'Available');
  return {
    owner: KEDA.test(names) ? 'keda' : ADAPTER.test(names) ? 'adapter' : 'other',
    apiService: a.metadata?.name ?? EXTERNAL_METRICS_APISERVICE,
    service: svc ? `${svc.namespace}/${svc.name}` : 'local (no Service)',
    available: cond?.status === 'True',
    ...(cond && cond.status !== 'True' ? { condition: `${cond.reason}: ${cond.message}` } : {}),
  };
}

const who = (o: Exclude<ExternalMetricsOwner, { owner: 'none' }>) =>
  `${o.owner === 'keda' ? 'KEDA' : o.owner === 'adapter' ? 'a metrics adapter' : 'something that is neither KEDA nor a known adapter'} (${o.apiService} → Service ${o.service}${o.available ? ', Available' : `, not Available${o.condition ? ` — ${o.condition}` : ''}`})`;

/** The line `cluster up --backend existing` prints. */
export function describeExternalMetrics(o: ExternalMetricsOwner): string {
  if (o.owner === 'none') return `external metrics API (${EXTERNAL_METRICS_APISERVICE}): none; a ScaledObject needs KEDA installed on the cluster (it registers it)`;
  const line = `external metrics API: served by ${who(o)}`;
  if (o.owner === 'keda') return o.available ? `${line}; a ScaledObject's HPA reads KEDA here` : `${line}; KEDA's HPAs get no value until it is Available`;
  return `${line}; KEDA cannot register its metrics apiserver while this one holds the group-version — a ScaledObject's HPA would ask ${o.owner === 'adapter' ? 'the adapter' : 'it'} and get no KEDA metric (see \`ebbflow replay --help\`)`;
}

/**
 * Whether a replay whose scaler needs KEDA (a ScaledObject) can run against what the cluster has;
 * a UserError naming the owner and what to do otherwise. Undefined: KEDA serves it, Available.
 */
export function kedaPreflight(o: ExternalMetricsOwner): UserError | undefined {
  if (o.owner === 'none') {
    return new UserError(
      `the scaler is a ScaledObject, but the cluster has no ${EXTERNAL_METRICS_APISERVICE} APIService: KEDA is not installed there, and ebbflow installs no controller into a cluster it did not create`,
      'install KEDA on the cluster (its release manifests or the Helm chart kedacore/keda into namespace keda; on ACK the ack-keda add-on), or replay with --backend local, where ebbflow runs KEDA itself',
    );
  }
  if (o.owner === 'keda') {
    return o.available
      ? undefined
      : new UserError(
        `the cluster's KEDA holds ${o.apiService} but its metrics apiserver is not Available (${o.condition ?? 'no status'}): the generated HPA would get no value`,
        `fix KEDA first: kubectl get apiservice ${o.apiService} -o yaml; kubectl -n ${o.service.split('/')[0]} get pods (its metrics apiserver and operator)`,
      );
  }
  return new UserError(
    `${o.apiService} on the cluster is served by ${who(o)}, not KEDA: the HPA KEDA generates for the ScaledObject asks that Service for its External metric and gets no KEDA value (one APIService per group-version; KEDA's install would take it over and break that owner's HPAs)`,
    `either move what reads External metrics from that owner to KEDA triggers and let KEDA own ${o.apiService} (kubectl get apiservice ${o.apiService} -o yaml shows who registered it; prometheus-adapter: drop its externalRules / --enable-external-metrics), or replay with --backend local, where ebbflow runs KEDA itself`,
  );
}
