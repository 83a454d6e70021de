import type { Logger } from 'pino';
import type { ToolchainProgress } from '../../../cluster/toolchain/index.ts';
import type { Stack } from '../../../core/component.ts';
import { UserError } from '../../../core/errors.ts';
import type { ReplayPlan } from '../plan.ts';
import type { Pipeline } from '../warmup.ts';
import { refuseExistingFlags, type ExistingFlags } from '../../../cluster/existing/options.ts';
import { prepareExisting, startExistingPipeline } from './existing.ts';
import { startKindPipeline } from './kind.ts';

/** Where a replay runs; `local` is the engine's own pipeline (engine.ts startPipeline). */
export type Backend = 'local' | 'kind' | 'existing';

/** What a backend's pipeline gets from the engine. */
export interface BackendContext {
  stack: Stack;
  plan: ReplayPlan;
  options: { logger?: Logger; toolchainProgress?: ToolchainProgress; kubeconfig?: string; namespace?: string; context?: string; hostAddress?: string; warmupTimeoutSeconds?: number };
  workDir: string;
  progress: (p: { phase: 'setup'; message: string }) => void;
  /** The HPA's Object metric (engine.ts objectMetric). */
  metric: Pipeline['metric'];
}

/** The toolchain a backend needs before it starts (the local one is the engine's). */
export function backendToolchain(b: Exclude<Backend, 'local'>): string[] {
  return b === 'kind' ? ['kind', 'kubectl', 'vk-eci', 'prometheus', 'prometheus-adapter'] : ['kubectl', 'prometheus', 'prometheus-adapter'];
}

/**
 * Refuses, before anything starts, what a backend cannot run. For `existing` this also checks its
 * flags and moves the plan into the namespace the run will own (`prepareExisting`).
 */
export function checkBackend(b: Backend, plan: ReplayPlan, o: ExistingFlags): void {
  const file = plan.scenario.file;
  refuseExistingFlags(b, o);
  if (b === 'existing') {
    prepareExisting(plan, o);
    return;
  }
  if (b === 'kind' && plan.scenario.source.mode === 'events') throw new UserError(`${file}: source.mode events runs on the local backend only`, 'remove source: or replay it with --backend local');
  if (b === 'kind' && plan.scenario.exporter) throw new UserError(`${file}: exporter: (your own exporter process) runs on the local backend only`, 'remove exporter: or replay it with --backend local');
}

export async function startBackendPipeline(b: Exclude<Backend, 'local'>, c: BackendContext): Promise<Pipeline> {
  return b === 'kind' ? startKindPipeline(c) : startExistingPipeline(c);
}
