import type { Command } from 'commander';
import { isoDate, port } from '../options.ts';

export function register(program: Command): void {
  program
    .command('fake-sls')
    .description('Run a wire-compatible fake Alibaba Cloud Log Service (GetLogs/GetLogsV2, PutLogs, WebTracking, signatures, faults) until Ctrl-C')
    .option('--port <port>', 'port to listen on', port, 18080)
    .option('--host <host>', 'address to bind (loopback by default)', '127.0.0.1')
    .option('--curve <FILE|const:N>', 'curve mode: answer aggregate queries from a curve CSV (time,devices) at the current time of day, or a constant')
    .option('--day <YYYY-MM-DD>', 'with --curve FILE spanning several days: serve only this day (every day, in order, otherwise)', isoDate)
    .option('--project <name>', 'project to serve (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--logstore <name>', 'logstore in every project (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--access-key-id <id>', 'accepted AccessKey id', 'ebbflow-test-ak')
    .option('--access-key-secret <secret>', 'accepted AccessKey secret', 'ebbflow-test-secret')
    .option('--security-token <token>', 'require this STS token with the key')
    .action(async (opts: { port: number; host: string; curve?: string; day?: string; project: string[]; logstore: string[]; accessKeyId: string; accessKeySecret: string; securityToken?: string }) => {
      const { UserError } = await import('../../common/errors.ts');
      const { createLogger } = await import('../../common/log.ts');
      const { startFakeSls, DEFAULT_PROJECTS } = await import('../../fake-sls/index.ts');
      if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new UserError(`--port must be 0..65535, got ${opts.port}`);
      let curve: ((ms: number) => number) | undefined;
      if (opts.curve) {
        const m = /^const:(\d+(?:\.\d+)?)$/.exec(opts.curve);
        if (m) curve = () => Number(m[1]);
        else if (opts.curve.startsWith('const:')) throw new UserError(`--curve ${opts.curve}: const needs a non-negative number, e.g. const:5000`);
        else {
          const { curveAtEpochMs, loadCurveFile } = await import('../../../scenarios/curve.ts');
          curve = curveAtEpochMs(await loadCurveFile(opts.curve, { day: opts.day }));
        }
      }
      const projects = opts.project.length ? Object.fromEntries(opts.project.map((p) => [p, opts.logstore.length ? opts.logstore : ['device-heartbeat']])) : DEFAULT_PROJECTS;
      const log = createLogger('fake-sls');
      const sls = await startFakeSls({
        host: opts.host,
        port: opts.port,
        curve,
        projects,
        credentials: [{ accessKeyId: opts.accessKeyId, accessKeySecret: opts.accessKeySecret, ...(opts.securityToken ? { securityToken: opts.securityToken } : {}) }],
        logger: log,
      }).catch((e: Error) => {
        throw new UserError(`fake SLS cannot listen on ${opts.host}:${opts.port}: ${e.message}`, 'choose another --port');
      });
      process.stdout.write(`fake SLS on ${sls.url} — SDK endpoint "${sls.endpoint}", projects ${Object.keys(projects).join(', ')}${opts.curve ? `, curve ${opts.curve}` : ''}\nfaults: POST ${sls.url}/_admin/faults {"kind":"error","code":"ServerBusy"}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await sls.stop();
    });
}
