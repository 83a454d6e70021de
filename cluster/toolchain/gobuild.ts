import { execa, type ExecaError } from 'execa';
import { createInterface } from 'node:readline';
import { UserError } from '../../core/errors.ts';
import type { ToolchainProgress } from './progress.ts';

const NETWORK_FAILURE = /module lookup disabled|dial tcp|no such host|connection refused|i\/o timeout|TLS handshake|403 Forbidden|404 Not Found|server response|network is unreachable|proxyconnect/i;

export function goEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // Static binaries: they must run wherever the cache is copied, without a C toolchain.
  return { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', ...extra };
}

/** The Go toolchain's version ("go1.26.8"), or a UserError when there is no Go. */
export async function goVersion(): Promise<string> {
  try {
    const { stdout } = await execa('go', ['env', 'GOVERSION'], { env: goEnv() });
    return stdout.trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as ExecaError).code === 'ENOENT') {
      throw new UserError(
        'Go is not installed (no `go` on PATH); ebbflow builds kube-apiserver, etcd, KWOK and friends from the Go module proxy',
        'install Go 1.26 or later (https://go.dev/doc/install or your distribution), or set EBBFLOW_BIN_<NAME> for every binary',
      );
    }
    throw e;
  }
}

export function parseGoVersion(v: string): [number, number] {
  const m = /^go(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Runs one go command, turning a module-proxy failure into an error that says so. */
export async function runGo(args: string[], cwd: string, what: string, onLine?: (line: string) => void): Promise<string> {
  const sub = execa('go', args, { cwd, env: goEnv(), all: true, buffer: { all: true, stdout: true } });
  const tail: string[] = [];
  if (sub.all) {
    const rl = createInterface({ input: sub.all });
    rl.on('line', (l) => {
      tail.push(l);
      if (tail.length > 40) tail.shift();
      onLine?.(l);
    });
  }
  try {
    const r = await sub;
    return typeof r.stdout === 'string' ? r.stdout : '';
  } catch (e) {
    const out = tail.join('\n');
    if (NETWORK_FAILURE.test(out)) {
      throw new UserError(
        `${what}: cannot fetch Go modules (GOPROXY=${process.env.GOPROXY ?? 'default'}):\n${out}`,
        'check that the Go module proxy is reachable (GOPROXY), or point EBBFLOW_BIN_<NAME> at prebuilt binaries',
      );
    }
    throw new Error(`${what}: \`go ${args.join(' ')}\` failed in ${cwd}:\n${out || (e as Error).message}`);
  }
}

/**
 * `go build -v` prints each package it compiles; against the package count from `go list -deps`
 * that is a real progress measure for builds that take minutes.
 */
export async function buildWithProgress(opts: {
  cwd: string;
  component: string;
  packages: string[];
  outDir: string;
  ldflags: string[];
  progress: ToolchainProgress;
}): Promise<void> {
  const { cwd, component, packages, progress } = opts;
  progress.phase(component, 'listing packages');
  const list = await runGo(['list', '-deps', ...packages], cwd, `${component}: list packages`);
  const total = list.split('\n').filter(Boolean).length;
  progress.phase(component, 'compiling', total);
  let n = 0;
  await runGo(
    ['build', '-v', '-trimpath', '-ldflags', ['-s', '-w', ...opts.ldflags].join(' '), '-o', opts.outDir + '/', ...packages],
    cwd,
    `${component}: build`,
    (line) => {
      if (/^[\w.-]+(\/[\w.~+-]+)*$/.test(line)) progress.advance(component, Math.min(++n, total), line);
    },
  );
}
