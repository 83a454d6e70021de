import type { Logger } from 'pino';
import type { ToolchainProgress } from '../../../cluster/toolchain/index.ts';
import type { Stack } from '../../common/component.ts';
import { UserError } from '../../common/errors.ts';
import type { ReplayPlan } from '../plan.ts';
import type { Pipeline } from '../warmup.ts';
import { startKindPipeline } from './kind.ts';

/** Where a replay runs; `local` is the engine's own pipeline (engine.ts startPipeline). */
export type Backend = 'local' | 'kind' | 'existing';

/** What a backend's pipeline gets from the engine. */
export interface BackendContext {
  stack: Stack;
  plan: ReplayPlan;
  options: { logger?: Logger; toolchainProgress?: ToolchainProgress; kubeconfig?: string; namespace?: string };
  workDir: string;
  progress: (p: { phase: 'setup'; message: string }) => void;
  /** The HPA's Object metric (engine.ts objectMetric). */
  metric: Pipeline['metric'];
}

/** The toolchain a backend needs before it starts (the local one is the engine's). */
export function backendToolchain(b: Exclude<Backend, 'local'>): string[] {
  return b === 'kind' ? ['kind', 'kubectl', 'vk-eci', 'prometheus', 'prometheus-adapter'] : ['kubectl', 'prometheus', 'prometheus-adapter'];
}

/** Refuses, before anything starts, what a backend cannot run. */
export function checkBackend(b: Backend, plan: ReplayPlan, o: { kubeconfig?: string; namespace?: string }): void {
  const file = plan.scenario.file;
  if (b === 'existing') throw new UserError('replay --backend existing is not available yet', 'use --backend local or --backend kind');
  if (o.kubeconfig !== undefined || o.namespace !== undefined) throw new UserError('--kubeconfig and --namespace apply to --backend existing only', 'drop them, or use --backend existing');
  if (b === 'kind' && plan.scenario.source.mode === 'events') throw new UserError(`${file}: source.mode events runs on the local backend only`, 'remove source: or replay it with --backend local');
  if (b === 'kind' && plan.scenario.exporter) throw new UserError(`${file}: exporter: (your own exporter process) runs on the local backend only`, 'remove exporter: or replay it with --backend local');
}

export async function startBackendPipeline(b: Exclude<Backend, 'local'>, c: BackendContext): Promise<Pipeline> {
  if (b === 'kind') return startKindPipeline(c);
  throw new UserError('replay --backend existing is not available yet', 'use --backend local or --backend kind');
}
