import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { startKindCluster, type KindCluster } from '../../cluster/kind/cluster.ts';
import { rawApi } from '../../cluster/local/raw-api.ts';
import { startFakeSls, type FakeSls } from '../fake-sls/index.ts';
import { K6OperatorFleetComponent, TESTRUN_NAME } from './components/k6-operator-fleet.ts';
import { devicesOf } from './fleet.ts';

/**
 * Events mode's fleet as a k6-operator TestRun on kind: the operator (toolchain-built, as a pod),
 * two paused runners started together by the operator's starter, and both runners' heartbeats in
 * the fake SLS on this machine. One kind cluster of its own (cluster/kind/README.md, "Tests").
 */
const NAME = 'k6op-e2e';
const NS = 'fleet';
const PROJECT = 'k8s-log-demo';
const LOGSTORE = 'device-heartbeat';
const DEVICES = 600;
const RUNNERS = 2;

let cluster: KindCluster | undefined;
let sls: FakeSls | undefined;
let fleet: K6OperatorFleetComponent | undefined;
let kc: KubeConfig;
const log = (l: string) => process.stderr.write(`${l}\n`);

beforeAll(async () => {
  cluster = await startKindCluster({ name: NAME, compression: 1 }, { progress: log });
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  const c = cluster;
  sls = await startFakeSls({ host: c.hostAddress, projects: { [PROJECT]: [LOGSTORE] } });
  const s = sls;
  fleet = new K6OperatorFleetComponent({
    kindCluster: NAME, kubeconfig: c.kubeconfig, kc, hostAddress: c.hostAddress, namespace: NS,
    sls: () => s, project: PROJECT, logstore: LOGSTORE,
    // A 10 s heartbeat at k = 10: every device posts once a second of wall time.
    heartbeatSeconds: 10, compression: 10, peakDevices: DEVICES, runners: RUNNERS,
    target: () => DEVICES, now: Date.now, duration: '60s', progress: log,
  });
  await fleet.start();
});

afterAll(async () => {
  await fleet?.stop();
  await sls?.stop();
  await cluster?.stop();
});

describe('events-mode fleet as a k6-operator TestRun (kind)', () => {
  it('gives each of the two runners one VU of a two-VU fleet', () => {
    expect(fleet!.layout).toMatchObject({ runners: RUNNERS, vusPerRunner: 1, vus: 2 });
    // The two VUs' devices are disjoint and together the fleet: what a per-runner __VU would break.
    const share = (vu: number) => Array.from({ length: fleet!.layout.slots }, (_, slot) => devicesOf(fleet!.layout, vu, slot, DEVICES)).flat();
    expect(share(0).length + share(1).length).toBe(DEVICES);
    expect(share(0).filter((d) => share(1).includes(d))).toEqual([]);
  });

  it('the operator starts both paused runners through its start gate (stage started)', async () => {
    await fleet!.ready();
    expect(fleet!.stages).toContain('created');
    expect(fleet!.stages.at(-1)).toMatch(/^(started|stopped|finished)$/);
    const pods = await rawApi(kc, 'GET', `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`k6_cr=${TESTRUN_NAME},runner=true`)}`);
    const items = (pods.json.items as { status: { phase: string } }[]);
    expect(items).toHaveLength(RUNNERS);
    // One VU per runner: global VU ids 1 and 2 both asking for the target means both runners run.
    await expect.poll(() => [...fleet!.controlByVu.keys()].sort(), { timeout: 60_000, interval: 500 }).toEqual([1, 2]);
  });

  it("both runners' heartbeats reach the fake SLS: it holds the whole fleet", async () => {
    // Every device posts once a second: over the last 5 s the fake holds each one, from both VUs' shares.
    await expect.poll(() => fleet!.held(5), { timeout: 60_000, interval: 1000 }).toBe(DEVICES);
  });

  it('the runners finish when the script ends (stage finished)', async () => {
    const stages = await fleet!.waitForStage('finished', 180_000);
    expect(stages.at(-1)).toBe('finished');
  });
});
