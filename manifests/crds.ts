import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import { UserError } from '../core/errors.ts';
import type { KubeObject } from './index.ts';

/**
 * The ServiceMonitor CRD as prometheus-operator publishes it, taken from the pinned release's Go
 * module (the module proxy is reachable where GitHub is not); `go mod download` caches it.
 */
export const PROMETHEUS_OPERATOR_MODULE = 'github.com/prometheus-operator/prometheus-operator';
export const PROMETHEUS_OPERATOR_VERSION = 'v0.80.1';

export async function serviceMonitorCrd(): Promise<KubeObject> {
  const r = await execa('go', ['mod', 'download', '-json', `${PROMETHEUS_OPERATOR_MODULE}@${PROMETHEUS_OPERATOR_VERSION}`], { reject: false, cwd: process.env.HOME ?? '/' });
  let dir: string | undefined;
  try {
    const j = JSON.parse(r.stdout) as { Dir?: string; Error?: string };
    if (j.Error) throw new Error(j.Error);
    dir = j.Dir;
  } catch (e) {
    throw new UserError(`cannot fetch the ServiceMonitor CRD (${PROMETHEUS_OPERATOR_MODULE}@${PROMETHEUS_OPERATOR_VERSION}) from the Go module proxy: ${(e as Error).message || r.stderr}`, 'needs Go and access to the Go module proxy (GOPROXY)');
  }
  const file = join(dir!, 'example', 'prometheus-operator-crd', 'monitoring.coreos.com_servicemonitors.yaml');
  return YAML.parse(readFileSync(file, 'utf8')) as KubeObject;
}
