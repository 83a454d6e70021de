import type { Command } from 'commander';
import { EXIT, setOutcome } from '../boundary.ts';
import type { ToolchainProgress } from '../../../cluster/toolchain/index.ts';
import { helpFooter } from '../help.ts';
import { outputOption } from '../options.ts';
import { UserError } from '../../../core/errors.ts';

/** Not a binary but a Docker image: built on request only (it needs Docker and ~2 GB). */
const KIND_NODE = 'kind-node';

async function installKindNode(progress: ToolchainProgress): Promise<string> {
  const { ensureKindNodeImage } = await import('../../../cluster/kind/node-image.ts');
  const t0 = performance.now();
  const image = await ensureKindNodeImage({ progress: (l) => progress.info(l), toolchainProgress: progress });
  return `${KIND_NODE.padEnd(20)} ${image} ready in ${((performance.now() - t0) / 1000).toFixed(1)}s\n`;
}

/** `toolchain install --for-tests [--plan]`: what the test command needs beyond `npm ci` (harness/setup). */
async function forTests(opts: { plan?: boolean }): Promise<void> {
  if (opts.plan) {
    const { describeTestSetup } = await import('../../setup/run.ts');
    process.stdout.write(`${await describeTestSetup()}\n`);
    return;
  }
  const { runTestSetup } = await import('../../setup/run.ts');
  const { createToolchainProgress } = await import('../toolchain-progress.ts');
  const progress = createToolchainProgress();
  try {
    await runTestSetup({ say: (l) => progress.info(l), progress, rerun: 'npm test' });
  } finally {
    progress.stop();
  }
}

/** `toolchain install [components...]`: the binaries (and, asked for by name, the kind node image), with progress. */
async function install(components: string[], opts: { force?: boolean; forTests?: boolean; plan?: boolean }): Promise<void> {
  if (opts.forTests && (components.length > 0 || opts.force)) {
    throw new UserError('--for-tests takes no components and no --force', 'run `ebbflow toolchain install --for-tests` alone; it installs exactly what the tests lack');
  }
  if (opts.plan && !opts.forTests) throw new UserError('--plan goes with --for-tests', 'run `ebbflow toolchain install --for-tests --plan`');
  if (opts.forTests) return forTests(opts);
  const { installToolchain } = await import('../../../cluster/toolchain/index.ts');
  const { createToolchainProgress } = await import('../toolchain-progress.ts');
  const progress = createToolchainProgress();
  const t0 = performance.now();
  const stop = () => progress.stop();
  const kindNode = components.includes(KIND_NODE);
  const rest = components.filter((c) => c !== KIND_NODE);
  try {
    const res = kindNode && rest.length === 0 ? [] : await installToolchain({ components: rest, force: opts.force, progress });
    const kindLine = kindNode ? await installKindNode(progress) : '';
    stop();
    process.stdout.write(kindLine);
    const total = (performance.now() - t0) / 1000;
    for (const r of res) {
      process.stdout.write(`${r.component.padEnd(20)} ${r.version.padEnd(10)} ${r.cached ? 'cached' : `${{ built: 'built', debian: 'unpacked from Debian', system: 'found on the system' }[r.manifest.source]} in ${r.seconds.toFixed(1)}s`}\n`);
    }
    process.stdout.write(`toolchain ready in ${total.toFixed(1)}s\n`);
  } finally {
    stop();
  }
}

/** `toolchain status`: each binary, its pinned version, where it comes from and the version it reports; exit 1 when one is missing. */
async function status(opts: { output: 'text' | 'json'; probe: boolean }): Promise<void> {
  const { toolchainStatus, toolchainDir } = await import('../../../cluster/toolchain/index.ts');
  const st = await toolchainStatus({ probe: opts.probe });
  if (opts.output === 'json') {
    process.stdout.write(JSON.stringify({ cache: toolchainDir(), binaries: st }, null, 2) + '\n');
    return;
  }
  process.stdout.write(`cache: ${toolchainDir()}\n`);
  for (const s of st) {
    const ver = s.reported ? `${s.reported}${s.versionOk ? '' : ' (MISMATCH)'}` : '';
    process.stdout.write(
      `${s.binary.padEnd(24)} ${s.pinned.padEnd(9)} ${s.state === 'installed' ? `${(s.from ?? '').padEnd(7)} ${ver.padEnd(10)} ${s.path}` : s.optional ? `not built (optional, built on first use; \`ebbflow toolchain install ${s.component}\` or set ${s.envVar})` : `missing  (run \`ebbflow toolchain install\` or set ${s.envVar})`}\n`,
    );
  }
  if (st.some((s) => s.state === 'missing' && !s.optional)) setOutcome(EXIT.failed);
}

export function register(program: Command): void {
  const tc = program
    .command('toolchain')
    .description('Build and cache the upstream binaries: kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, KWOK, prometheus-adapter, k6, Prometheus')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow toolchain install', 'npx ebbflow toolchain status', 'npx ebbflow toolchain key'] }));

  tc.command('install')
    .description('Build (or find in the cache) every pinned component; safe to run concurrently')
    .argument('[components...]', 'only these components (kubernetes, etcd, kwok, prometheus-adapter, k6, prometheus, ...; optional ones only by name or on first use: kruise, the OpenKruise manager a UnitedDeployment or WorkloadSpread replay runs; kind-node: the kind backend\'s node image in Docker, assembled offline once per recipe, never by default)')
    .option('--force', 'rebuild even when cached (not kind-node: its tag changes with its recipe)')
    .option('--for-tests', 'everything this repository\'s `npm test` needs beyond `npm ci`, only what is missing: python3-venv and Chromium (Debian), the toolchain, a Docker daemon, the Node 20 base images and the kind node image; steps needing root are named, not run, when not root')
    .option('--plan', 'with --for-tests: print what is present and which steps would run, run nothing')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow toolchain install', 'npx ebbflow toolchain install kubernetes etcd kruise', 'npx ebbflow toolchain install --for-tests --plan'] }))
    .action(install);

  outputOption(tc.command('status')
    .description('List each binary: pinned version, where it comes from, and the version it reports')
    .option('--no-probe', 'do not run the binaries to read their versions'), 'json: the cache directory and each binary', true)
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow toolchain status', 'npx ebbflow toolchain status -o json --no-probe'], failed: 'a component is missing (an optional one not built is no failure)', interrupted: false }))
    .action(status);

  tc.command('key')
    .description('Print a cache key of the pinned toolchain (versions, recipes, platform) for CI caches of ~/.cache/ebbflow')
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow toolchain key'], interrupted: false }))
    .action(async () => {
      const { toolchainKey } = await import('../../../cluster/toolchain/index.ts');
      process.stdout.write(`${toolchainKey()}\n`);
    });
}
