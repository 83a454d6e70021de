import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import YAML from 'yaml';
import { waitUntil } from '../../core/wait.ts';
import { applyCrds, rawApi, serverSideApply } from '../local/raw-api.ts';
import { componentFiles, ensureBinaries, type ToolchainProgress } from '../toolchain/index.ts';
import type { STAGES } from './objects.ts';
import { CRD_DIR, curlWrapper, imageDockerfile, K6_OPERATOR_COMPONENT, K6_OPERATOR_NAME, K6_OPERATOR_NAMESPACE, lddLibraries, operatorObjects, ROLE_FILE, stageReached } from './objects.ts';

async function sha256(file: string, h: ReturnType<typeof createHash>): Promise<void> {
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
}

/**
 * The one image of a TestRun's pods, `ebbflow/k6-operator:<tag>`: the toolchain's k6 and k6-operator
 * and this machine's curl on `base` (the Debian minbase), tagged by the content of all three and the
 * Dockerfile, so an unchanged toolchain is never rebuilt. Builds the optional toolchain component
 * on first use, with progress.
 */
export async function ensureK6OperatorImage(base: string, o: { toolchainProgress?: ToolchainProgress; progress?: (l: string) => void } = {}): Promise<string> {
  const bins = await ensureBinaries(['k6', 'k6-operator'], o.toolchainProgress);
  const curl = (await execa('sh', ['-c', 'command -v curl'], { reject: false })).stdout.trim();
  if (!curl) throw new Error('curl is not on this machine: the TestRun starter image copies it (apt-get install curl)');
  const ldd = lddLibraries((await execa('ldd', [curl])).stdout);
  if (!ldd.loader) throw new Error(`ldd ${curl} names no loader`);
  const h = createHash('sha256').update(imageDockerfile(base)).update(base);
  for (const f of [bins.k6!, bins['k6-operator']!, curl, ...ldd.libs]) await sha256(f, h);
  const tag = `ebbflow/k6-operator:${h.digest('hex').slice(0, 12)}`;
  if ((await execa('docker', ['image', 'inspect', tag], { reject: false })).exitCode === 0) return tag;
  o.progress?.(`building ${tag} (k6, k6-operator, curl on ${base})`);
  const ctx = mkdtempSync(join(tmpdir(), 'ebbflow-k6op-'));
  try {
    copyFileSync(bins.k6!, join(ctx, 'k6'));
    copyFileSync(bins['k6-operator']!, join(ctx, 'k6-operator'));
    mkdirSync(join(ctx, 'curl', 'lib'), { recursive: true });
    copyFileSync(curl, join(ctx, 'curl', 'curl'));
    copyFileSync(ldd.loader, join(ctx, 'curl', basename(ldd.loader)));
    for (const lib of ldd.libs) copyFileSync(lib, join(ctx, 'curl', 'lib', basename(lib)));
    writeFileSync(join(ctx, 'curl.sh'), curlWrapper(basename(ldd.loader)), { mode: 0o755 });
    writeFileSync(join(ctx, 'Dockerfile'), imageDockerfile(base));
    await execa('docker', ['build', '-q', '-t', tag, ctx]);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  return tag;
}

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };

/** The collection path of an object (namespaced or not) for the raw API. */
export function collectionPath(obj: Obj): string {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const plural = `${obj.kind.toLowerCase()}s`;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  return obj.metadata.namespace ? `${base}/namespaces/${obj.metadata.namespace}/${plural}` : `${base}/${plural}`;
}

/** Server-side applies objects in order (a namespace before what lives in it). */
export async function applyObjects(kc: KubeConfig, objs: Obj[]): Promise<void> {
  for (const obj of objs) await serverSideApply(kc, collectionPath(obj), obj);
}

/**
 * The operator in the cluster, as a pod (it reads the initializer's log through its in-cluster
 * config, so it cannot run beside the cluster): the module's CRDs (Established), its ClusterRole,
 * and the Deployment on `image`, up to its pod Ready.
 */
export async function installK6Operator(kc: KubeConfig, image: string, files = componentFiles(K6_OPERATOR_COMPONENT)): Promise<void> {
  const crds = Object.keys(files).filter((f) => f.startsWith(CRD_DIR) && f.endsWith('.yaml')).sort().map((f) => YAML.parse(readFileSync(files[f]!, 'utf8')) as Obj);
  if (!crds.length || !files[ROLE_FILE]) throw new Error(`the ${K6_OPERATOR_COMPONENT} toolchain component kept no CRDs (${CRD_DIR}) or no ${ROLE_FILE}`);
  await applyCrds(kc, crds);
  const role = YAML.parseAllDocuments(readFileSync(files[ROLE_FILE]!, 'utf8')).map((d) => d.toJS() as Obj | null).find((d) => d?.kind === 'ClusterRole');
  if (!role) throw new Error(`${ROLE_FILE} of ${K6_OPERATOR_COMPONENT} holds no ClusterRole`);
  await applyObjects(kc, operatorObjects({ image, role: role as Obj & Record<string, unknown> }));
  const path = `/apis/apps/v1/namespaces/${K6_OPERATOR_NAMESPACE}/deployments/${K6_OPERATOR_NAME}`;
  let last = '';
  await waitUntil('the k6-operator pod Ready', 180_000, async () => {
    const d = await rawApi(kc, 'GET', path);
    const st = d.json.status as { readyReplicas?: number } | undefined;
    last = JSON.stringify(st ?? d.json.message ?? '');
    return (st?.readyReplicas ?? 0) >= 1 || undefined;
  }, () => `deployment ${K6_OPERATOR_NAMESPACE}/${K6_OPERATOR_NAME}: ${last}`, 500);
}

/** The TestRun's `status.stage` ('' before the operator set one). */
export async function testRunStage(kc: KubeConfig, namespace: string, name: string): Promise<string> {
  const r = await rawApi(kc, 'GET', `/apis/k6.io/v1alpha1/namespaces/${namespace}/testruns/${name}`);
  return String((r.json.status as { stage?: string } | undefined)?.stage ?? '');
}

/**
 * Waits until the TestRun reaches `want` (or a later stage) and returns the stages seen on the way;
 * stage `error` fails at once, with `diagnose()` (e.g. the operator's log) in the message.
 */
export async function waitForStage(kc: KubeConfig, namespace: string, name: string, want: (typeof STAGES)[number], timeoutMs: number, diagnose: () => Promise<string>, seen: string[] = []): Promise<string[]> {
  let stage = '';
  try {
    await waitUntil(`TestRun ${namespace}/${name} to reach stage ${want}`, timeoutMs, async () => {
      stage = await testRunStage(kc, namespace, name);
      if (stage && seen.at(-1) !== stage) seen.push(stage);
      if (stage === 'error') throw new Error(`TestRun ${namespace}/${name} went to stage error`);
      return stageReached(stage, want) || undefined;
    }, () => `stages seen: ${seen.join(' → ') || 'none'}`, 500);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${await diagnose()}`, { cause: e });
  }
  return seen;
}

/** The operator pod's log (the last `lines`), for a failure's message. */
export async function operatorLog(kubeconfig: string, lines = 60): Promise<string> {
  const { kubectl } = await ensureBinaries(['kubectl']);
  const r = await execa(kubectl!, ['--kubeconfig', kubeconfig, '-n', K6_OPERATOR_NAMESPACE, 'logs', `deployment/${K6_OPERATOR_NAME}`, `--tail=${lines}`], { reject: false, all: true });
  return `k6-operator log:\n${String(r.all)}`;
}
