import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../core/errors.ts';
import { LOOPBACK, goDuration, kubeApiserverArgs, kubeControllerManagerArgs, kwokctlConfiguration, standaloneControllerManagerArgs } from './control-plane.ts';
import { hpaFlagsSchema } from './control-plane.ts';
import { parseClusterConfig, startCluster } from './lifecycle.ts';

describe('control-plane flags', () => {
  it('compresses HPA periods by k', () => {
    const args = Object.fromEntries(kubeControllerManagerArgs(hpaFlagsSchema.parse({}), 20).map((a) => [a.key, a.value]));
    expect(args['horizontal-pod-autoscaler-sync-period']).toBe('750ms');
    expect(args['horizontal-pod-autoscaler-downscale-stabilization']).toBe('15000ms');
    expect(args['horizontal-pod-autoscaler-tolerance']).toBe('0.1');
    expect(args.controllers).toContain('horizontal-pod-autoscaler-controller');
    expect(goDuration(0, 5)).toBe('1ms');
  });

  it('starts kcm by itself with kwokctl\'s flags for it, then ours, without a serving port', () => {
    const args = standaloneControllerManagerArgs({ kubeconfig: '/c/kubeconfig.yaml', pkiDir: '/c/pki', hpa: hpaFlagsSchema.parse({}), k: 600 });
    expect(args).toEqual(expect.arrayContaining(['--kubeconfig=/c/kubeconfig.yaml', '--root-ca-file=/c/pki/ca.crt', '--service-account-private-key-file=/c/pki/admin.key', '--secure-port=0', '--horizontal-pod-autoscaler-sync-period=25ms', '--leader-elect=false']));
    expect(args.filter((a) => a.startsWith('--bind-address='))).toHaveLength(1);
  });

  it('hands kwokctl the ports chosen for it, beside the loopback bind address', () => {
    const [conf] = kwokctlConfiguration({ pkiDir: '/pki', hpa: hpaFlagsSchema.parse({}), k: 10, stages: [], ports: { etcdPort: 20_001, kwokControllerPort: 20_002 } }) as [{ options: Record<string, unknown> }];
    expect(conf.options).toEqual({ bindAddress: LOOPBACK, etcdPort: 20_001, kwokControllerPort: 20_002 });
  });

  it('enables the aggregation layer', () => {
    const keys = kubeApiserverArgs('/pki').map((a) => a.key);
    expect(keys).toEqual(expect.arrayContaining(['requestheader-client-ca-file', 'requestheader-allowed-names', 'requestheader-username-headers']));
  });
});

describe('bad cluster input', () => {
  it('names the unknown field and the negative count', () => {
    expect(() => parseClusterConfig({ nodePools: { ecs: [{ name: 'a', count: 1, gpu: 1 }] } } as never)).toThrow(/nodePools\.ecs\.0\.gpu: Unrecognized key/);
    expect(() => parseClusterConfig({ nodePools: { ecs: [{ name: 'a', count: -2 }] } })).toThrow(/nodePools\.ecs\.0\.count/);
    expect(() => parseClusterConfig({ name: 'Bad_Name' })).toThrow(/name: a DNS label/);
    expect(() => parseClusterConfig({ nodePools: { ecs: [{ name: 'a', count: 1 }, { name: 'a', count: 1 }] } })).toThrow(/duplicate pool/);
  });

  it('refuses a port in use before starting anything', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    const env = { ...process.env, EBBFLOW_STATE_DIR: mkdtempSync(join(tmpdir(), 'ebf-state-')) };
    await expect(startCluster({ name: 'port-test', apiserverPort: port }, { env })).rejects.toThrow(new RegExp(`port ${port} is already in use`));
    srv.close();
  });

  it('reports a missing binary override clearly', async () => {
    const env = { ...process.env, EBBFLOW_STATE_DIR: mkdtempSync(join(tmpdir(), 'ebf-state-')), EBBFLOW_BIN_KWOKCTL: '/nonexistent/kwokctl' };
    const saved = process.env.EBBFLOW_BIN_KWOKCTL;
    process.env.EBBFLOW_BIN_KWOKCTL = '/nonexistent/kwokctl';
    try {
      const err = await startCluster({ name: 'bin-test' }, { env }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toMatch(/EBBFLOW_BIN_KWOKCTL=\/nonexistent\/kwokctl: not an executable/);
    } finally {
      if (saved === undefined) delete process.env.EBBFLOW_BIN_KWOKCTL;
      else process.env.EBBFLOW_BIN_KWOKCTL = saved;
    }
  });
});
