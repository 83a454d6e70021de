import { execa } from 'execa';
import { UserError } from '../../core/errors.ts';
import { installToolchain, type ToolchainProgress } from '../../cluster/toolchain/index.ts';
import { ensureDocker, ensureNodeBaseImages } from '../../cluster/kind/images.ts';
import { ensureKindNodeImage } from '../../cluster/kind/node-image.ts';
import { describePlan, planTestSetup, rootStepsMessage, rootStepsNeeded, type SetupFacts, type SetupPlan, type SetupStep } from './plan.ts';
import { probeTestSetup } from './probe.ts';

export interface TestSetupOptions {
  /** Lines for the user (stderr): one per step, and the summary. */
  say: (line: string) => void;
  /** The toolchain's and the kind node image's progress. */
  progress: ToolchainProgress;
  /** The command a user without root re-runs once the root steps are done. */
  rerun: string;
  /** Probes; a test passes its own. */
  probe?: () => Promise<SetupFacts>;
  /** Runs one step; a test passes its own. */
  runStep?: (step: SetupStep, o: TestSetupOptions) => Promise<void>;
}

async function apt(packages: string[]): Promise<void> {
  // A fresh image has no package lists; a failed update (offline mirror) still lets a cached list serve.
  await execa('apt-get', ['update', '-qq'], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'inherit' });
  // dpkg's line per package unpacked is the progress of a minute-long Chromium install.
  const r = await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    reject: false,
    stdin: 'ignore',
    stdout: 'inherit',
    stderr: 'inherit',
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.exitCode === undefined) throw new UserError(`${packages.join(' ')} missing and apt-get is not available`, `install ${packages.join(' ')} with this system's package manager, then run the tests again`);
  if (r.exitCode !== 0) throw new UserError(`apt-get install ${packages.join(' ')} failed (exit ${r.exitCode})`, 'see apt-get\'s messages above');
}

/** The real steps: the same ones `.ci/run` used to run one by one. */
export async function runSetupStep(step: SetupStep, o: TestSetupOptions): Promise<void> {
  switch (step.id) {
    case 'apt':
      return apt(step.items);
    case 'toolchain':
      await installToolchain({ components: step.items, progress: o.progress });
      return;
    case 'docker':
      return ensureDocker();
    case 'base-images':
      await ensureNodeBaseImages();
      return;
    case 'kind-node':
      await ensureKindNodeImage({ progress: o.say, toolchainProgress: o.progress });
      return;
  }
}

const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)}s`;

/** The plan as `--plan` prints it, without running anything. */
export async function describeTestSetup(probe: () => Promise<SetupFacts> = probeTestSetup): Promise<string> {
  const facts = await probe();
  return describePlan(planTestSetup(facts), facts);
}

/**
 * Makes this machine ready for the test command: probes, plans, stops with the root steps named when
 * this user cannot run them, runs the rest with progress, then probes again so a step that claimed
 * success but left something missing is reported rather than found by a failing test.
 */
export async function runTestSetup(o: TestSetupOptions): Promise<SetupPlan> {
  const probe = o.probe ?? (() => probeTestSetup());
  const runStep = o.runStep ?? runSetupStep;
  const t0 = performance.now();
  const facts = await probe();
  const plan = planTestSetup(facts);
  if (plan.problems.length > 0) throw new UserError(`test set-up: ${plan.problems.join('; ')}`);
  const blocked = rootStepsNeeded(plan, facts);
  if (blocked.length > 0) throw new UserError(`test set-up: not root, and ${blocked.length === 1 ? 'one step needs' : `${blocked.length} steps need`} root`, rootStepsMessage(blocked, o.rerun));
  if (plan.steps.length === 0) {
    o.say(`test set-up: present: ${plan.present.join(', ')} (${secs(t0)})`);
    return plan;
  }
  if (plan.present.length > 0) o.say(`test set-up: present: ${plan.present.join(', ')}`);
  for (const [k, step] of plan.steps.entries()) {
    const ts = performance.now();
    o.say(`test set-up [${k + 1}/${plan.steps.length}]: ${step.title} — ${step.why}`);
    await runStep(step, o);
    o.say(`test set-up [${k + 1}/${plan.steps.length}]: ${step.title} done in ${secs(ts)}`);
  }
  const left = planTestSetup(await probe()).steps;
  if (left.length > 0) {
    throw new UserError(`test set-up: still missing after the set-up ran: ${left.map((s) => `${s.title} (${s.why})`).join('; ')}`, 'see the steps\' messages above');
  }
  o.say(`test set-up: ready in ${secs(t0)}`);
  return plan;
}
