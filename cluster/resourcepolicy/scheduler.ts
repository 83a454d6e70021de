import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import { freePort } from '../../core/ports.ts';
import { waitUntil } from '../../core/wait.ts';
import { clusterSupervisor, isRecordedProcess } from '../local/index.ts';
import { applyCrds } from '../local/raw-api.ts';
import { ensureBinaries, type ToolchainProgress } from '../toolchain/index.ts';

/** The toolchain binary: kube-scheduler v1.36.1 with the ResourcePolicy plugin (scheduler/). */
export const SCHEDULER_BINARY = 'resourcepolicy-scheduler';
export const PLUGIN = 'ResourcePolicy';
/**
 * The plugin's score weight. The default plugins' weighted scores sum to at most about 1,200; one
 * step between units is 100/(units+1) ≥ 16, so ×1000 makes the unit order dominate every other score.
 */
export const PLUGIN_WEIGHT = 1000;

/** The default plugin whose filter ours replaces (plugin.go wraps it). */
export const TAINT_FILTER = 'TaintToleration';

const CRD_FILE = new URL('./crd.yaml', import.meta.url);

export interface RunningScheduler {
  pid: number;
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/**
/**
 * The upstream PostFilter our plugin replaces: it runs the same preemption itself, over every node for
 * a pod without a policy and unit by unit for one with (preemptPolicy), which DefaultPreemption after
 * it would undo by choosing victims in any unit.
 */
export const REPLACED_PLUGIN = 'DefaultPreemption';

/**
 * The scheduler's configuration (pure): the default profile with the plugin on at every extension
 * point it has, in place of DefaultPreemption, and TaintToleration off at the filter point only — the
 * plugin filters taints in its place, so a policy's eci unit can take pods that do not tolerate the
 * virtual node, as ACK's scheduler does (README); TaintToleration's PreferNoSchedule scoring stays.
 */
export function schedulerConfiguration(kubeconfig: string): object {
  return {
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    // As kwokctl's kube-scheduler is run for the local cluster (control-plane.ts kubeSchedulerArgs).
    clientConnection: { kubeconfig, qps: 200, burst: 400 },
    leaderElection: { leaderElect: false },
    profiles: [{ schedulerName: 'default-scheduler', plugins: { multiPoint: { enabled: [{ name: PLUGIN, weight: PLUGIN_WEIGHT }], disabled: [{ name: REPLACED_PLUGIN }] }, filter: { disabled: [{ name: TAINT_FILTER }] } } }],
  };
}

/** Our ResourcePolicy CRD, applied server-side and Established before this returns. */
export async function installResourcePolicyCrd(kc: KubeConfig): Promise<void> {
  const crd = YAML.parse(readFileSync(CRD_FILE, 'utf8')) as { metadata: { name: string } };
  await applyCrds(kc, [crd]);
}

/** The scheduler's /healthz on its own serving certificate (self-signed, loopback only). */
function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * The kube-scheduler with the ResourcePolicy plugin (built on first use) as a supervised process of
 * the local cluster `cluster`, in place of kwokctl's (a cluster started with `scheduler: external`),
 * after the CRD it watches; ready when its /healthz answers.
 */
export async function startResourcePolicyScheduler(opts: {
  cluster: string;
  dir: string;
  kubeconfig: string;
  kubeConfig: KubeConfig;
  progress?: ToolchainProgress;
  signal?: AbortSignal;
}): Promise<RunningScheduler> {
  const bin = (await ensureBinaries([SCHEDULER_BINARY], opts.progress))[SCHEDULER_BINARY]!;
  await installResourcePolicyCrd(opts.kubeConfig);
  const config = join(opts.dir, 'resourcepolicy-scheduler.yaml');
  writeFileSync(config, YAML.stringify(schedulerConfiguration(opts.kubeconfig)));
  const port = await freePort();
  const proc = clusterSupervisor(opts.cluster).spawn({
    label: 'resourcepolicy-scheduler',
    bin,
    args: [`--config=${config}`, '--bind-address=127.0.0.1', `--secure-port=${port}`],
    logFile: join(opts.dir, 'resourcepolicy-scheduler.log'),
  });
  const stop = async () => {
    if ((await proc.stop(5000)) === 'stuck') throw new Error(`resourcepolicy-scheduler (pid ${proc.pid}) did not exit after SIGKILL`);
  };
  try {
    await waitUntil('resourcepolicy-scheduler healthy', 60_000, async () => {
      if (!isRecordedProcess(proc)) throw new Error(`resourcepolicy-scheduler exited before it was ready:\n${proc.logTail(30)}`);
      return (await healthy(port)) || undefined;
    }, () => proc.logTail(30), 200, opts.signal);
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
  return { pid: proc.pid, logTail: proc.logTail, stop };
}
