import { UserError } from '../../../core/errors.ts';
import type { Backend, BackendFlags, BackendOptions, PreparedRun } from '../backend.ts';
import type { ReplayPlan } from '../plan.ts';

/**
 * The backends, registered once. A line names the backend, says in a few words what it is (for
 * hints), the flags only it takes (every other backend refuses them before its module loads) and
 * where its module is; modules load when asked for, so `--help` and the option parsers stay light.
 * Adding a backend is its folder and one line here.
 */
interface Entry {
  about: string;
  flags: readonly (keyof BackendFlags)[];
  load: () => Promise<{ backend: Backend }>;
}

const REGISTRY = {
  local: { about: 'processes on this machine, KWOK nodes', flags: [], load: () => import('./local/index.ts') },
  kind: { about: 'a kind cluster in Docker', flags: [], load: () => import('./kind/index.ts') },
  existing: { about: 'a cluster ebbflow did not create', flags: ['kubeconfig', 'context', 'namespace', 'hostAddress'], load: () => import('./existing/index.ts') },
} as const satisfies Record<string, Entry>;

export type BackendName = keyof typeof REGISTRY;
export const BACKEND_NAMES = Object.keys(REGISTRY) as BackendName[];
/** Where a replay or `cluster up` runs when neither a flag nor the scenario says. */
export const DEFAULT_BACKEND: BackendName = 'local';

export function isBackendName(v: string): v is BackendName {
  return Object.hasOwn(REGISTRY, v);
}

export async function backendNamed(name: string): Promise<Backend> {
  if (!isBackendName(name)) throw new UserError(`no backend "${name}"`, `choose one of ${BACKEND_NAMES.join(', ')}`);
  return (await REGISTRY[name].load()).backend;
}

/** The order the flags are named in messages. */
const FLAGS: [keyof BackendFlags, string][] = [['kubeconfig', '--kubeconfig'], ['context', '--context'], ['namespace', '--namespace'], ['hostAddress', '--host-address']];

/** A flag of another backend is a mistake, not something to ignore. */
export function refuseForeignFlags(name: BackendName, flags: BackendFlags): void {
  const own: readonly string[] = REGISTRY[name].flags;
  const given = FLAGS.filter(([f]) => flags[f] !== undefined && !own.includes(f));
  if (given.length === 0) return;
  const owner = BACKEND_NAMES.find((n) => (REGISTRY[n].flags as readonly string[]).includes(given[0]![0]))!;
  throw new UserError(`${given.map(([, f]) => f).join(', ')} applies to --backend ${owner} only, not --backend ${name}`, `drop it, or add --backend ${owner} to replay on ${REGISTRY[owner].about}`);
}

/**
 * The backend a replay runs on, with its options and the plan checked before anything starts
 * (exit 2 on a refusal); the run it returns is what the engine starts.
 */
export async function checkBackend(name: string, plan: ReplayPlan, options: BackendOptions): Promise<PreparedRun> {
  const backend = await backendNamed(name);
  refuseForeignFlags(name as BackendName, options);
  return backend.prepare(plan, options);
}
