import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createLogger } from '../../core/log.ts';
import { startEciAgent, type EciAgent } from '../nodes/eci-agent.ts';
import { parseClusterConfig, stopCluster } from './lifecycle.ts';
import type { ClusterConfig, ClusterConfigInput } from './config.ts';
import { kubeconfigPath, kwokClusterDir, ownerAlive, readRecord, validateClusterName } from './state.ts';
import { sleep } from '../../core/wait.ts';

/**
 * The per-cluster background process: plays the ECI provider, and tears the cluster down when its
 * owner process dies (a test runner that crashed, a CLI killed during `cluster up`). Returns when
 * the signal aborts, the owner died (after the teardown), or the cluster was removed; the CLI
 * command that runs it owns the process (signals, exit).
 */
export async function runClusterAgent(name: string, opts: { signal?: AbortSignal; env?: NodeJS.ProcessEnv; logger?: Logger } = {}): Promise<'stopped' | 'owner-gone' | 'removed'> {
  validateClusterName(name);
  const env = opts.env ?? process.env;
  const log = opts.logger ?? createLogger(`agent/${name}`, env.EBBFLOW_LOG_LEVEL ?? 'info');
  const rec = readRecord(name, env);
  if (!rec) throw new Error(`no cluster record for "${name}"`);
  const config = parseClusterConfig(rec.config as ClusterConfigInput);
  let eci: EciAgent | undefined;
  let seenCluster = false;
  try {
    while (!opts.signal?.aborted) {
      if (!ownerAlive(name, env)) {
        log.warn('owner process is gone; tearing the cluster down');
        await eci?.stop().catch(() => {});
        eci = undefined;
        await stopCluster(name, env).catch((e: Error) => log.error({ err: e.message }, 'teardown failed'));
        return 'owner-gone';
      }
      if (existsSync(kwokClusterDir(name, env))) seenCluster = true;
      else if (seenCluster) {
        log.info('cluster directory removed; agent exits');
        return 'removed';
      }
      eci ??= await tryStartEci(name, config, env, log);
      await sleep(500, opts.signal);
    }
    return 'stopped';
  } finally {
    await eci?.stop().catch(() => {});
  }
}

async function tryStartEci(name: string, config: ClusterConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<EciAgent | undefined> {
  if (!config.nodePools.eci.enabled || !existsSync(kubeconfigPath(name, env))) return undefined;
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath(name, env));
    const eci = await startEciAgent({ kubeConfig: kc, pools: config.nodePools, compression: config.compression, log });
    log.info('eci agent watching the virtual node');
    return eci;
  } catch (e) {
    log.debug({ err: (e as Error).message }, 'apiserver not ready yet');
    return undefined;
  }
}

