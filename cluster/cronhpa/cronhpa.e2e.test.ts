import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi, type V1Deployment, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { sharedCluster, type SharedCluster } from '../local/testing.ts';
import { waitUntil } from '../../core/wait.ts';
import { createVirtualClock, type VirtualClock } from '../../harness/clock/clock.ts';
import { CRONHPA_GROUP, CRONHPA_PLURAL, CRONHPA_VERSION, installCrd, startController, type CronHpaObject, type CronJobSpec, type RunningController } from './index.ts';

// The real control plane (the e2e project's shared cluster: kcm's HPA, the API server's scale
// subresource) with the controller on a virtual clock at the cluster's k = 10: a job 20 virtual seconds ahead fires 2 wall seconds later. The HPA has a
// metric nothing serves, so it only holds its bounds (kcm applies min/max before reading metrics):
// every change of replicas seen here is the CronHPA's or the bounds'.
const K = 10;
let c: SharedCluster;
let apps: AppsV1Api;
let hpas: AutoscalingV2Api;
let core: CoreV1Api;
let custom: CustomObjectsApi;
let ctl: RunningController | undefined;
let clock: VirtualClock;
const fired: { key: string; job: string; state: string | undefined; firedAt: number; message: string }[] = [];

const until = <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000) => waitUntil(what, ms, fn, undefined, 100);
const hms = (t: number) => new Date(t).toISOString().slice(11, 19).split(':').map(Number) as [number, number, number];
/** A six-field schedule naming the virtual second `ahead` seconds from now (today, in UTC). */
const inSeconds = (ahead: number) => {
  const [h, m, s] = hms(Math.ceil(clock.now() / 1000) * 1000 + ahead * 1000);
  return `${s} ${m} ${h} * * *`;
};

function deployment(ns: string, name: string, replicas: number): V1Deployment {
  return {
    metadata: { name, namespace: ns },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  };
}

function hpa(ns: string, target: string, min: number, max: number): V2HorizontalPodAutoscaler {
  return {
    metadata: { name: `${target}-hpa`, namespace: ns },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: min, maxReplicas: max,
      metrics: [{ type: 'Object', object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: target }, metric: { name: 'active_devices' }, target: { type: 'AverageValue', averageValue: '1k' } } }],
    },
  };
}

async function cronHpa(ns: string, ref: { apiVersion: string; kind: string; name: string }, jobs: CronJobSpec[]): Promise<void> {
  const body: CronHpaObject = { apiVersion: `${CRONHPA_GROUP}/${CRONHPA_VERSION}`, kind: 'CronHorizontalPodAutoscaler', metadata: { name: 'cron', namespace: ns }, spec: { scaleTargetRef: ref, jobs } };
  await custom.createNamespacedCustomObject({ group: CRONHPA_GROUP, version: CRONHPA_VERSION, plural: CRONHPA_PLURAL, namespace: ns, body });
}
const getCron = async (ns: string) => (await custom.getNamespacedCustomObject({ group: CRONHPA_GROUP, version: CRONHPA_VERSION, plural: CRONHPA_PLURAL, namespace: ns, name: 'cron' })) as CronHpaObject;
const replicas = async (ns: string, name: string) => (await apps.readNamespacedDeployment({ namespace: ns, name })).spec?.replicas;
const bounds = async (ns: string, name: string) => {
  const h = await hpas.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name });
  return { min: h.spec?.minReplicas, max: h.spec?.maxReplicas };
};

async function namespaceWith(ns: string, dep: { name: string; replicas: number }, withHpa?: { min: number; max: number }): Promise<void> {
  await c.namespace(ns);
  await apps.createNamespacedDeployment({ namespace: ns, body: deployment(ns, dep.name, dep.replicas) });
  if (withHpa) {
    await hpas.createNamespacedHorizontalPodAutoscaler({ namespace: ns, body: hpa(ns, dep.name, withHpa.min, withHpa.max) });
    // kcm has seen the HPA once it has a status.
    await until(`${ns}: HPA status`, async () => ((await hpas.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name: `${dep.name}-hpa` })).status?.currentReplicas === dep.replicas ? true : undefined));
  }
}

describe('CronHPA controller on a real control plane (virtual clock, k = 10)', () => {
  beforeAll(async () => {
    c = await sharedCluster();
    // The clock below and the HPA's sync period must agree on k.
    expect(c.config.compression).toBe(K);
    apps = c.kubeConfig.makeApiClient(AppsV1Api);
    hpas = c.kubeConfig.makeApiClient(AutoscalingV2Api);
    core = c.kubeConfig.makeApiClient(CoreV1Api);
    custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
    await installCrd(c.kubeConfig);
    clock = createVirtualClock({ k: K, t0: Date.parse('2026-01-05T07:58:00Z') });
    ctl = startController({ kubeConfig: c.kubeConfig, clock, timeZone: 'UTC', retryIntervalMs: 3000 / K, retryTimeoutMs: 10_000 / K, onJobResult: (r) => void fired.push(r) });
    await ctl.synced;
  });

  afterAll(async () => {
    await ctl?.stop();
    await c?.release();
  });

  it('raises the HPA floor at the scheduled virtual second and scales at once; hands the floor back without scaling below current', async () => {
    const ns = 'cron-hpa';
    await namespaceWith(ns, { name: 'web', replicas: 2 }, { min: 1, max: 10 });
    const up = inSeconds(30);
    const down = inSeconds(60);
    await cronHpa(ns, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'web-hpa' }, [
      { name: 'up', schedule: up, targetSize: 6 },
      { name: 'down', schedule: down, targetSize: 2 },
    ]);
    const submitted = await until('conditions Submitted', async () => {
      const o = await getCron(ns);
      return o.status?.conditions?.length === 2 && o.status.conditions.every((x) => x.state === 'Submitted' && x.jobId) ? o : undefined;
    });
    expect(submitted.status?.scaleTargetRef).toMatchObject({ kind: 'HorizontalPodAutoscaler', name: 'web-hpa' });
    // Not before its second.
    expect(await bounds(ns, 'web-hpa')).toEqual({ min: 1, max: 10 });
    const upRun = await until('up fired', async () => fired.find((f) => f.key === `${ns}/cron` && f.job === 'up'));
    const [h, m, s] = up.split(' ').slice(0, 3).reverse().map(Number);
    const due = Date.parse(`2026-01-05T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}Z`);
    expect(upRun.firedAt).toBeGreaterThanOrEqual(due);
    // Within a virtual 5 s of it (half a wall second at k = 10, on a loaded machine).
    expect(upRun.firedAt - due).toBeLessThan(5000);
    expect(upRun).toMatchObject({ state: 'Succeed', message: 'current replicas:2, desired replicas:6.' });
    expect(await bounds(ns, 'web-hpa')).toEqual({ min: 6, max: 10 });
    expect(await replicas(ns, 'web')).toBe(6);
    const cond = (await getCron(ns)).status!.conditions!.find((x) => x.name === 'up')!;
    expect(cond).toMatchObject({ state: 'Succeed', message: 'cron hpa job up executed successfully. current replicas:2, desired replicas:6.' });
    const events = await until('Succeed event', async () => {
      const list = (await core.listNamespacedEvent({ namespace: ns })).items.filter((e) => e.involvedObject.kind === 'CronHorizontalPodAutoscaler' && e.reason === 'Succeed');
      return list.length ? list : undefined;
    });
    expect(events[0]!.type).toBe('Normal');

    const downRun = await until('down fired', async () => fired.find((f) => f.key === `${ns}/cron` && f.job === 'down'), 90_000);
    expect(downRun.message).toBe('Skip scale replicas because HPA web-hpa in namespace cron-hpa current replicas:6 >= desired replicas:2.');
    expect(await bounds(ns, 'web-hpa')).toEqual({ min: 2, max: 10 });
    // The HPA reads no metric, so nothing takes the 6 replicas down: the job never scales below current.
    expect(await replicas(ns, 'web')).toBe(6);
  }, 180_000);

  it('sets a workload named directly through its scale subresource, down as well; a run-once job leaves the engine', async () => {
    const ns = 'cron-plain';
    await namespaceWith(ns, { name: 'api', replicas: 4 });
    await cronHpa(ns, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, [{ name: 'night', schedule: inSeconds(20), targetSize: 1, runOnce: true }]);
    await until('night fired', async () => fired.find((f) => f.key === `${ns}/cron` && f.job === 'night'));
    expect(await replicas(ns, 'api')).toBe(1);
    await until('run-once job removed from the engine', async () => (ctl!.jobs().some((j) => j.key === `${ns}/cron`) ? undefined : true));
    expect((await getCron(ns)).status!.conditions![0]).toMatchObject({ name: 'night', state: 'Succeed', runOnce: true });
  }, 120_000);

  it('a target that does not exist is a Failed condition and a Warning event after the retries', async () => {
    const ns = await c.namespace('cron-missing');
    await cronHpa(ns, { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'nope' }, [{ name: 'up', schedule: inSeconds(10), targetSize: 3 }]);
    const r = await until('up failed', async () => fired.find((f) => f.key === `${ns}/cron` && f.job === 'up'));
    expect(r.state).toBe('Failed');
    expect(r.message).toMatch(/^failed to scale HorizontalPodAutoscaler nope in cron-missing namespace to 3 after retrying \d+ times and exit,because of Failed to get HorizontalPodAutoscaler Ref/);
    const warn = await until('Failed event', async () => (await core.listNamespacedEvent({ namespace: ns })).items.find((e) => e.reason === 'Failed' && e.type === 'Warning'));
    expect(warn.message).toMatch(/^cron hpa failed to execute, because of failed to scale/);
  }, 120_000);
});
