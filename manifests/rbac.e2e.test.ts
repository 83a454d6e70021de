import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { sharedCluster, type SharedCluster } from '../cluster/local/testing.ts';
import { EW_GROUP, EW_PLURAL, EW_VERSION, installCrd, startController, type EwObject, type RunningController } from '../cluster/elasticworkload/index.ts';
import { waitUntil } from '../core/wait.ts';
import { asInput } from './check.ts';
import { renderOverlay, type KubeObject } from './index.ts';

/**
 * The controller's RBAC is enough, not just small: the controller runs as its ServiceAccount (a
 * token from the TokenRequest API, bound only by the shipped Role) with the args of the shipped
 * Deployment, and creates, replaces, scales and deletes a unit, writes status and records events.
 *
 * On the e2e project's shared cluster, in the shipped manifests' own namespaces (what is tested is
 * the shipped RBAC, bound there): the file deletes every object it applied, cluster-scoped ones
 * included, so the manifests checks' server-side dry-runs of the same objects find none of them;
 * the namespaces stay (those checks create them for real too).
 */

const SA = 'system:serviceaccount:ebbflow-system:elasticworkload-controller';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
let c: SharedCluster;
let ctl: RunningController | undefined;
let objects: KubeObject[];
/** What this file applied for real, in order: its own afterAll deletes it again (but the namespaces). */
const applied: KubeObject[] = [];
const apply = async (o: KubeObject) => {
  await c.kubectl(['apply', '-f', '-'], { input: asInput(o) });
  applied.push(o);
};

const pick = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;
const until = <T>(what: string, fn: () => Promise<T | undefined>) => waitUntil(what, 60_000, fn, undefined, 100);

describe('controller RBAC on a real API server', () => {
  beforeAll(async () => {
    c = await sharedCluster();
    await installCrd(c.kubeConfig);
    objects = await renderOverlay('local');
    const ew = structuredClone(pick('ElasticWorkload', 'nginx')) as KubeObject & { spec: { replicas: number } };
    ew.spec.replicas = 4;
    const wanted = [
      ...objects.filter((o) => o.kind === 'Namespace'),
      pick('ServiceAccount', 'elasticworkload-controller'),
      pick('Role', 'ebbflow-elasticworkload-controller'),
      pick('RoleBinding', 'ebbflow-elasticworkload-controller'),
      pick('Deployment', 'nginx'),
      ew,
    ];
    for (const o of wanted) await apply(o);
  });
  afterAll(async () => {
    await ctl?.stop();
    if (!c) return;
    // The unit the controller made (its owner goes below; the garbage collector would follow).
    await c.kubectl(['delete', 'deployment', 'nginx-unit-virtual-kubelet', '-n', (pick('Deployment', 'nginx').metadata.namespace ?? 'default'), '--ignore-not-found']);
    // kubectl waits for each deletion with a timeout from the object's size (its default).
    for (const o of applied.reverse().filter((x) => x.kind !== 'Namespace')) await c.kubectl(['delete', '--ignore-not-found', '-f', '-'], { input: asInput(o) });
  });

  it('the ServiceAccount may write Deployments in the watched namespace only', async () => {
    // can-i answers "no" with exit code 1, which c.kubectl turns into an error ending in kubectl's output.
    const can = (args: string[]) => c.kubectl(['auth', 'can-i', ...args, `--as=${SA}`]).then((s) => s.trim(), (e: unknown) => (e as Error).message.trim().split('\n').at(-1));
    expect(await can(['create', 'deployments', '-n', 'default'])).toBe('yes');
    expect(await can(['create', 'deployments', '-n', 'kube-system'])).toBe('no');
    expect(await can(['list', 'secrets', '-n', 'default'])).toBe('no');
    expect(await can(['create', 'customresourcedefinitions'])).toBe('no');
    // Where the exporter's identity lives (its ServiceAccount with the RRSA role, its credentials
    // Secret), the controller can start nothing that could run as it.
    const identity = pick('Deployment', 'sls-exporter').metadata.namespace!;
    expect(identity).not.toBe('default');
    for (const ns of [identity, 'kube-system']) {
      for (const what of ['deployments', 'pods', 'replicasets', 'statefulsets', 'jobs', 'daemonsets']) expect(await can(['create', what, '-n', ns]), `create ${what} -n ${ns}`).toBe('no');
      expect(await can(['update', 'deployments', '-n', ns])).toBe('no');
      expect(await can(['get', 'secrets', '-n', ns])).toBe('no');
    }
    expect(await can(['create', 'pods', '-n', 'default'])).toBe('no');
  });

  it('as its ServiceAccount, with the shipped args, the controller reconciles: units created, replaced, deleted; status and events written', async () => {
    const token = (await c.kubectl(['create', 'token', 'elasticworkload-controller', '-n', 'ebbflow-system'])).trim();
    const cluster = c.kubeConfig.getCurrentCluster()!;
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [cluster], users: [{ name: 'sa', token }], contexts: [{ name: 'sa', cluster: cluster.name, user: 'sa' }], currentContext: 'sa' });
    const args = (pick('Deployment', 'elasticworkload-controller').spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec.containers[0]!.args;
    const namespace = args.find((a) => a.startsWith('--namespace='))!.slice('--namespace='.length);
    ctl = startController({ kubeConfig: kc, namespace });
    await ctl.synced;

    const apps = c.kubeConfig.makeApiClient(AppsV1Api);
    const core = c.kubeConfig.makeApiClient(CoreV1Api);
    const custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
    const unit = () => apps.readNamespacedDeployment({ name: 'nginx-unit-virtual-kubelet', namespace }).catch(() => undefined);
    await until('unit with 2 replicas and status.replicas 4', async () => {
      const [u, ew] = await Promise.all([unit(), custom.getNamespacedCustomObject({ group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace, name: 'nginx' }) as Promise<EwObject>]);
      return u?.spec?.replicas === 2 && ew.status?.replicas === 4 ? true : undefined;
    });
    await until('UnitCreation event', async () => ((await core.listNamespacedEvent({ namespace })).items.some((e) => e.reason === 'UnitCreation') ? true : undefined));

    // A source template change reaches the unit (update of the unit Deployment).
    await apps.patchNamespacedDeployment({ name: 'nginx', namespace, body: { spec: { template: { metadata: { annotations: { 'ebbflow.io/rev': '2' } } } } } }, merge);
    await until('unit template follows the source', async () => ((await unit())?.spec?.template?.metadata?.annotations?.['ebbflow.io/rev'] === '2' ? true : undefined));

    // A unit removed from the spec is drained and deleted.
    await custom.patchNamespacedCustomObject({ group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace, name: 'nginx', body: { spec: { replicas: 2, elasticUnit: [] } } }, merge);
    await until('unit deleted', async () => ((await unit()) === undefined ? true : undefined));
  }, 120_000);

  it('cluster-wide: RBAC grants every namespace, the admission policy refuses kube-system and the exporter’s namespace', async () => {
    const wide = await renderOverlay('aliyun-cluster-wide');
    const pickWide = (kind: string, name: string) => wide.find((o) => o.kind === kind && o.metadata.name === name)!;
    const identity = pickWide('Deployment', 'sls-exporter').metadata.namespace!;
    for (const o of [...wide.filter((x) => x.kind === 'Namespace'), pickWide('ClusterRole', 'ebbflow-elasticworkload-controller'), pickWide('ClusterRoleBinding', 'ebbflow-elasticworkload-controller'), ...wide.filter((x) => x.kind.startsWith('ValidatingAdmissionPolicy'))]) {
      await apply(o);
    }
    // As the controller's ServiceAccount, a Deployment through the API server's admission (not saved).
    const create = (ns: string) =>
      c.kubectl(['create', 'deployment', 'probe', '--image=registry.example.com/probe:1', '-n', ns, '--dry-run=server', '-o', 'name', `--as=${SA}`]).then(
        () => 'created',
        (e: unknown) => (e as Error).message,
      );
    // The policy takes effect once the API server has compiled it (a second or so).
    await until('the admission policy refuses kube-system', async () => ((await create('kube-system')) !== 'created' ? true : undefined));
    expect(await create('kube-system')).toMatch(/ValidatingAdmissionPolicy 'ebbflow-elasticworkload-controller-namespaces'.*denied.*never in kube-system: refused in kube-system/s);
    expect(await create(identity)).toMatch(/denied.*refused in sls-exporter/s);
    expect(await create('default')).toBe('created');
    // RBAC alone says yes everywhere: what stops it is the admission policy.
    expect((await c.kubectl(['auth', 'can-i', 'create', 'deployments', '-n', 'kube-system', `--as=${SA}`])).trim()).toBe('yes');
    // And no pod anywhere, by RBAC.
    const runPod = (ns: string) => c.kubectl(['run', 'probe', '--image=registry.example.com/probe:1', '-n', ns, '--dry-run=server', `--as=${SA}`]).then(() => 'created', (e: unknown) => (e as Error).message);
    expect(await runPod(identity)).toMatch(/forbidden/);
    expect(await runPod('kube-system')).toMatch(/forbidden/);
  }, 120_000);
});
