import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../../harness/common/log.ts';
import { startEciAgent, type EciAgent } from '../nodes/eci-agent.ts';
import { parseClusterConfig, stopCluster } from './lifecycle.ts';
import type { ClusterConfigInput } from './config.ts';
import { isAlive, kubeconfigPath, kwokClusterDir, readOwner, readRecord } from './state.ts';

/**
 * The per-cluster background process: plays the ECI provider, and tears the cluster down when its
 * owner process dies (a test runner that crashed, a CLI killed during `cluster up`).
 */
export async function runClusterAgent(name: string): Promise<void> {
  const log = createLogger(`agent/${name}`, process.env.EBBFLOW_LOG_LEVEL ?? 'info');
  const rec = readRecord(name);
  if (!rec) throw new Error(`no cluster record for "${name}"`);
  const config = parseClusterConfig(rec.config as ClusterConfigInput);
  let eci: EciAgent | undefined;
  let stopping = false;

  const exit = async (code: number) => {
    stopping = true;
    await eci?.stop().catch(() => {});
    process.exit(code);
  };
  process.on('SIGTERM', () => void exit(0));
  process.on('SIGINT', () => void exit(0));

  let seenCluster = false;
  for (;;) {
    if (stopping) return;
    const owner = readOwner(name);
    if (owner !== undefined && !isAlive(owner)) {
      log.warn({ owner }, 'owner process is gone; tearing the cluster down');
      await eci?.stop().catch(() => {});
      eci = undefined;
      await stopCluster(name).catch((e: Error) => log.error({ err: e.message }, 'teardown failed'));
      return exit(0);
    }
    const exists = existsSync(kwokClusterDir(name));
    if (exists) seenCluster = true;
    else if (seenCluster) {
      log.info('cluster directory removed; agent exits');
      return exit(0);
    }
    if (!eci && config.nodePools.eci.enabled && existsSync(kubeconfigPath(name))) {
      try {
        const kc = new KubeConfig();
        kc.loadFromFile(kubeconfigPath(name));
        eci = await startEciAgent({ kubeConfig: kc, pools: config.nodePools, compression: config.compression, log });
        log.info('eci agent watching the virtual node');
      } catch (e) {
        log.debug({ err: (e as Error).message }, 'apiserver not ready yet');
        eci = undefined;
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
