import { join } from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import { UserError } from '../core/errors.ts';
import { ensureBinaries, KUBERNETES_VERSION } from '../cluster/toolchain/index.ts';
import { MANIFESTS_DIR, type KubeObject } from './index.ts';

/** The Helm chart beside the kustomize base (README.md, "Helm chart"). */
export const CHART_DIR = join(MANIFESTS_DIR, 'chart');

/**
 * `--kube-version`: helm built from the module proxy lacks the release's ldflags, so its default
 * capabilities say Kubernetes v1.20 and the chart's kubeVersion (>= 1.26) would refuse to render.
 */
const kubeVersion = ['--kube-version', KUBERNETES_VERSION];

const setArgs = (values: Record<string, string | number | boolean>) => Object.entries(values).flatMap(([k, v]) => [typeof v === 'string' ? '--set-string' : '--set', `${k}=${String(v)}`]);

/** `helm template` of the chart with `--set` values; the release is named ebbflow like the base's instance label. */
export async function renderChart(values: Record<string, string | number | boolean> = {}, opts: { release?: string; chartDir?: string } = {}): Promise<KubeObject[]> {
  const { helm } = await ensureBinaries(['helm']);
  const r = await execa(helm!, ['template', opts.release ?? 'ebbflow', opts.chartDir ?? CHART_DIR, ...kubeVersion, ...setArgs(values)], { reject: false });
  if (r.exitCode !== 0) throw new UserError(`helm template ${opts.chartDir ?? CHART_DIR} failed: ${r.stderr.trim()}`, 'fix the value or the template helm names');
  return YAML.parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => !!o);
}

/** `helm lint --strict`: its findings, empty when the chart is clean. */
export async function lintChart(chartDir = CHART_DIR): Promise<{ ok: boolean; output: string }> {
  const { helm } = await ensureBinaries(['helm']);
  const r = await execa(helm!, ['lint', chartDir, '--strict', ...kubeVersion], { reject: false, all: true });
  return { ok: r.exitCode === 0, output: String(r.all ?? '') };
}

type Meta = { labels?: Record<string, string>; annotations?: Record<string, string> };
type Templated = { spec?: { template?: { metadata?: Meta } }; data?: Record<string, string> };

/** A ConfigMap value as data: YAML and JSON compare by content, not by comments or layout. */
const parsedData = (v: string): unknown => {
  try {
    return YAML.parse(v) as unknown;
  } catch {
    return v;
  }
};

/**
 * An object with what differs by tool alone taken out, so chart and kustomize renders compare:
 * Helm's `helm.sh/chart` label, `managed-by` (Helm vs kustomize), the chart's `checksum/config` pod
 * annotation (kustomize documents a restart instead), and ConfigMap data read as YAML/JSON.
 */
export function comparable(o: KubeObject): KubeObject {
  const c = structuredClone(o) as KubeObject & Templated;
  const meta = c.metadata as Meta;
  if (meta.labels) {
    delete meta.labels['helm.sh/chart'];
    if (meta.labels['app.kubernetes.io/managed-by']) meta.labels['app.kubernetes.io/managed-by'] = '(tool)';
  }
  const tmeta = c.spec?.template?.metadata;
  if (tmeta?.annotations) {
    delete tmeta.annotations['checksum/config'];
    if (Object.keys(tmeta.annotations).length === 0) delete tmeta.annotations;
  }
  if (c.kind === 'ConfigMap' && c.data) c.data = Object.fromEntries(Object.entries(c.data).map(([k, v]) => [k, parsedData(v) as string]));
  return c;
}

export const objectKey = (o: KubeObject): string => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
