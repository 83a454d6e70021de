/**
 * What the test command needs beyond `npm ci`, decided from what is present (pure: the facts are
 * probed by probe.ts, the steps run by run.ts). Root steps are those that change the system
 * (Debian packages, a Docker daemon, images assembled with debootstrap); run as another user, the
 * set-up names them and stops before anything else, so its `sudo` lines and a second `npm test` finish it.
 */

/** What the probes found. */
export interface SetupFacts {
  root: boolean;
  /** Toolchain components without a usable cache entry (cluster/toolchain `missingComponents`). */
  toolchainMissing: string[];
  /** `python3` can make a venv; only asked when the Python SDK still has to be installed. */
  pythonVenv?: boolean;
  chromium: { path: string; present: boolean; fromEnv: boolean };
  /** A Docker daemon answers `docker info` as this user. */
  docker: boolean;
  /** Tags present in Docker (empty when no daemon answers). */
  images: string[];
  /** Tags the tests need: the Node 20 bases (and the Debian minbase they and the kind node start from), and the kind node image. */
  baseImages: string[];
  kindNodeImage: string;
}

export type StepId = 'apt' | 'toolchain' | 'docker' | 'base-images' | 'kind-node';

export interface SetupStep {
  id: StepId;
  /** What it does, e.g. "apt-get install chromium". */
  title: string;
  /** Why the tests need it. */
  why: string;
  /** It changes the system: only root may run it. */
  root: boolean;
  /** The shell command a user runs for it, relative to the package's directory. */
  command: string;
  /** apt: the packages; toolchain: the components. */
  items: string[];
}

export interface SetupPlan {
  steps: SetupStep[];
  /** What is already there, one phrase each, for the one-line summary. */
  present: string[];
  /** Missing things no step can supply (a wrong `EBBFLOW_CHROMIUM`). */
  problems: string[];
}

export const PYTHON_SDK_COMPONENT = 'sls-python-sdk';

/**
 * The steps, in the order they must run: Debian packages first (the Python SDK's venv needs
 * python3-venv), the toolchain, Docker, then the images built in it (the kind node starts from the
 * Debian minbase that node20-base.sh makes).
 */
export function planTestSetup(f: SetupFacts): SetupPlan {
  const steps: SetupStep[] = [];
  const present: string[] = [];
  const problems: string[] = [];

  const apt: string[] = [];
  const aptWhy: string[] = [];
  if (f.toolchainMissing.includes(PYTHON_SDK_COMPONENT) && f.pythonVenv === false) {
    apt.push('python3-venv');
    aptWhy.push('the Python SLS SDK is installed into a venv');
  }
  if (f.chromium.present) present.push('chromium');
  else if (f.chromium.fromEnv) problems.push(`EBBFLOW_CHROMIUM is ${f.chromium.path}, which does not exist: point it at a Chromium or unset it to use Debian's`);
  else {
    apt.push('chromium');
    aptWhy.push(`the HTML report test opens ${f.chromium.path}`);
  }
  if (apt.length > 0) {
    steps.push({
      id: 'apt',
      title: `apt-get install ${apt.join(' ')}`,
      why: aptWhy.join('; '),
      root: true,
      command: `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${apt.join(' ')}`,
      items: apt,
    });
  }

  if (f.toolchainMissing.length > 0) {
    steps.push({
      id: 'toolchain',
      title: `toolchain install ${f.toolchainMissing.join(' ')}`,
      why: 'the pinned binaries the e2e tests run (built once into the cache)',
      root: false,
      command: `node bin/ebbflow.js toolchain install ${f.toolchainMissing.join(' ')}`,
      items: f.toolchainMissing,
    });
  } else present.push('toolchain');

  if (f.docker) present.push('docker');
  else {
    steps.push({
      id: 'docker',
      title: 'start a Docker daemon',
      why: 'the exporter image and the kind tests run containers (a daemon that runs but refuses this user: give the user its socket, e.g. the docker group)',
      root: true,
      command: 'cluster/kind/docker-setup.sh',
      items: [],
    });
  }

  // Without a daemon nothing is known about images: they are assumed missing, and the steps that
  // make them are idempotent, so a root user told to run one that turns out done loses nothing.
  const have = new Set(f.images);
  const bases = f.baseImages.filter((t) => !have.has(t));
  if (bases.length === 0) present.push('base images');
  else {
    steps.push({
      id: 'base-images',
      title: 'assemble the Node 20 base images',
      why: `the exporter image and the kind node start from ${bases.join(', ')} (debootstrap, once)`,
      root: true,
      command: 'cluster/kind/node20-base.sh',
      items: bases,
    });
  }
  if (have.has(f.kindNodeImage)) present.push('kind node image');
  else {
    steps.push({
      id: 'kind-node',
      title: 'toolchain install kind-node',
      why: `the kind tests boot ${f.kindNodeImage} (assembled offline once)`,
      root: false,
      command: 'node bin/ebbflow.js toolchain install kind-node',
      items: [f.kindNodeImage],
    });
  }
  return { steps, present, problems };
}

/** The steps this user cannot run. */
export function rootStepsNeeded(plan: SetupPlan, facts: Pick<SetupFacts, 'root'>): SetupStep[] {
  return facts.root ? [] : plan.steps.filter((s) => s.root);
}

/** The lines that tell a user without root what to run, and then to run the tests again. */
export function rootStepsMessage(steps: SetupStep[], rerun: string): string {
  const lines = ['the tests need these steps as root (run from this package\'s directory, each idempotent):'];
  for (const s of steps) lines.push(`  sudo ${s.command.includes('&&') ? `sh -c '${s.command}'` : s.command}    # ${s.why}`);
  lines.push(`then run \`${rerun}\` again; it does the rest as you.`);
  return lines.join('\n');
}

/** `--plan`: every requirement, present or the step that would supply it. */
export function describePlan(plan: SetupPlan, facts: Pick<SetupFacts, 'root'>): string {
  const lines = [`test set-up (${facts.root ? 'as root' : 'not root'}):`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(10)}  ${text}`);
  for (const p of plan.present) row('present', p);
  for (const s of plan.steps) row(!s.root ? 'run' : facts.root ? 'run (root)' : 'NEEDS ROOT', `${s.title} — ${s.why}`);
  for (const p of plan.problems) row('problem', p);
  if (plan.steps.length === 0 && plan.problems.length === 0) lines.push('  nothing to do');
  return lines.join('\n');
}
