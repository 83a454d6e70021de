import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import { UserError } from '../core/errors.ts';
import type { KubeObject } from './index.ts';

/**
 * prometheus-operator's CRDs as it publishes them, taken from the pinned release's Go module (the
 * module proxy is reachable where GitHub is not); `go mod download` caches it. The base needs
 * ServiceMonitor, components/monitoring PrometheusRule.
 */
export const PROMETHEUS_OPERATOR_MODULE = 'github.com/prometheus-operator/prometheus-operator';
export const PROMETHEUS_OPERATOR_VERSION = 'v0.80.1';

export type PrometheusOperatorKind = 'servicemonitors' | 'prometheusrules';

export async function prometheusOperatorCrd(plural: PrometheusOperatorKind): Promise<KubeObject> {
  const r = await execa('go', ['mod', 'download', '-json', `${PROMETHEUS_OPERATOR_MODULE}@${PROMETHEUS_OPERATOR_VERSION}`], { reject: false, cwd: process.env.HOME ?? '/' });
  let dir: string | undefined;
  try {
    const j = JSON.parse(r.stdout) as { Dir?: string; Error?: string };
    if (j.Error) throw new Error(j.Error);
    dir = j.Dir;
  } catch (e) {
    throw new UserError(`cannot fetch the ${plural} CRD (${PROMETHEUS_OPERATOR_MODULE}@${PROMETHEUS_OPERATOR_VERSION}) from the Go module proxy: ${(e as Error).message || r.stderr}`, 'needs Go and access to the Go module proxy (GOPROXY)');
  }
  const file = join(dir!, 'example', 'prometheus-operator-crd', `monitoring.coreos.com_${plural}.yaml`);
  return YAML.parse(readFileSync(file, 'utf8')) as KubeObject;
}

export async function serviceMonitorCrd(): Promise<KubeObject> {
  return prometheusOperatorCrd('servicemonitors');
}
