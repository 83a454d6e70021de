import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import type { ExistingTarget } from '../../../../cluster/existing/options.ts';
import { ensureBinaries } from '../../../../cluster/toolchain/index.ts';
import type { ReplayCluster } from '../../warmup.ts';

/** The kubeconfig with the chosen context current, for the tools that take a file (kubectl, the adapter). */
export function contextKubeconfig(t: ExistingTarget, dir: string): string {
  const file = join(dir, 'kubeconfig');
  writeFileSync(file, t.kubeConfig.exportConfig(), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** The cluster as the replay reads it (recorder, warm-up, tests), through the run's kubeconfig file. */
export function replayCluster(name: string, kubeconfig: string, kubeConfig: KubeConfig, virtualNode: string | undefined): ReplayCluster {
  return {
    name,
    kubeconfig,
    kubeConfig,
    virtualNode,
    kubectl: async (args, o) => {
      const { kubectl } = await ensureBinaries(['kubectl']);
      return String((await execa(kubectl!, ['--kubeconfig', kubeconfig, ...args], { input: o?.input })).stdout);
    },
  };
}
