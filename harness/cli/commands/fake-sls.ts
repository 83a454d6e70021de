import type { Command } from 'commander';
import { interruptible, untilAborted } from '../boundary.ts';
import { isoDate, port } from '../options.ts';
import { helpFooter } from '../help.ts';

export const SECRET_ENV = 'EBBFLOW_FAKE_SLS_ACCESS_KEY_SECRET';
export const TOKEN_ENV = 'EBBFLOW_FAKE_SLS_SECURITY_TOKEN';
const DEFAULT_SECRET = 'ebbflow-test-secret';

interface CredentialOptions {
  accessKeyId: string;
  accessKeySecret?: string;
  securityToken?: string;
}

/**
 * The key the fake accepts. Secrets come from the environment; on the command line they show in
 * `ps` and shell history, so they are still taken (scripts rely on it) but with a warning.
 */
export function credentialFromOptions(o: CredentialOptions, env: NodeJS.ProcessEnv): { credential: { accessKeyId: string; accessKeySecret: string; securityToken?: string }; warnings: string[] } {
  const warnings: string[] = [];
  const warn = (flag: string, envName: string) => warnings.push(`${flag} on the command line is visible to other users (ps, shell history); set ${envName} instead`);
  if (o.accessKeySecret !== undefined) warn('--access-key-secret', SECRET_ENV);
  if (o.securityToken !== undefined) warn('--security-token', TOKEN_ENV);
  const accessKeySecret = o.accessKeySecret ?? env[SECRET_ENV] ?? DEFAULT_SECRET;
  const securityToken = o.securityToken ?? env[TOKEN_ENV];
  return { credential: { accessKeyId: o.accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) }, warnings };
}

export function register(program: Command): void {
  program
    .command('fake-sls')
    .description('Run a wire-compatible fake Alibaba Cloud Log Service (GetLogs/GetLogsV2, GetHistograms, PutLogs, WebTracking, signatures, faults) until Ctrl-C')
    .option('--port <port>', 'port to listen on', port, 18080)
    .option('--host <host>', 'address to bind (loopback by default)', '127.0.0.1')
    .option('--curve <FILE|const:N>', 'curve mode: answer aggregate queries from a curve CSV (time,devices) at the current time of day, or a constant')
    .option('--day <YYYY-MM-DD>', 'with --curve FILE spanning several days: serve only this day (every day, in order, otherwise)', isoDate)
    .option('--project <name>', 'project to serve (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--logstore <name>', 'logstore in every project (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--access-key-id <id>', 'accepted AccessKey id', 'ebbflow-test-ak')
    .option('--access-key-secret <secret>', `accepted AccessKey secret (prefer ${SECRET_ENV}; default ${DEFAULT_SECRET})`)
    .option('--security-token <token>', `require this STS token with the key (prefer ${TOKEN_ENV})`)
    .option('--allow-remote-admin', 'answer /_admin/* (fault injection) to non-loopback clients too', false)
    .addHelpText('after', helpFooter({ examples: ['npx ebbflow fake-sls --port 18080', 'npx ebbflow fake-sls --curve scenarios/curves/weekday.csv --project iot --logstore devices', 'npx ebbflow fake-sls --curve const:3000'], ok: 'stopped by SIGINT/SIGTERM', interrupted: 'a second signal before it stopped' }))
    .action(async (opts: { port: number; host: string; curve?: string; day?: string; project: string[]; logstore: string[]; allowRemoteAdmin: boolean } & CredentialOptions) => {
      const { UserError } = await import('../../../core/errors.ts');
      const { createLogger } = await import('../../../core/log.ts');
      const { startFakeSls, DEFAULT_PROJECTS } = await import('../../fake-sls/index.ts');
      if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new UserError(`--port must be 0..65535, got ${opts.port}`, 'e.g. --port 18080');
      let curve: ((ms: number) => number) | undefined;
      if (opts.curve) {
        const m = /^const:(\d+(?:\.\d+)?)$/.exec(opts.curve);
        if (m) curve = () => Number(m[1]);
        else if (opts.curve.startsWith('const:')) throw new UserError(`--curve ${opts.curve}: const needs a non-negative number`, 'e.g. --curve const:5000');
        else {
          const { curveAtEpochMs, loadCurveFile } = await import('../../../scenarios/curve.ts');
          curve = curveAtEpochMs(await loadCurveFile(opts.curve, { day: opts.day }));
        }
      }
      const { credential, warnings } = credentialFromOptions(opts, process.env);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      const projects = opts.project.length ? Object.fromEntries(opts.project.map((p) => [p, opts.logstore.length ? opts.logstore : ['device-heartbeat']])) : DEFAULT_PROJECTS;
      const log = createLogger('fake-sls');
      const sls = await startFakeSls({ host: opts.host, port: opts.port, curve, projects, credentials: [credential], logger: log, allowRemoteAdmin: opts.allowRemoteAdmin }).catch((e: Error) => {
        throw new UserError(`fake SLS cannot listen on ${opts.host}:${opts.port}: ${e.message}`, 'choose another --port');
      });
      const admin = opts.allowRemoteAdmin ? 'from any client' : 'from loopback only';
      process.stdout.write(`fake SLS on ${sls.url} — SDK endpoint "${sls.endpoint}", projects ${Object.keys(projects).join(', ')}${opts.curve ? `, curve ${opts.curve}` : ''}\nfaults (${admin}): POST ${sls.url}/_admin/faults {"kind":"error","code":"ServerBusy"}\n`);
      await interruptible(untilAborted);
      await sls.stop();
    });
}
