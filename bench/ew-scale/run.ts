/**
 * ElasticWorkload reconcile latency while an EW scales 0 → N replicas (default 2,000) in steps across
 * ≥ 100 ECS nodes and the ECI virtual node, on the real local control plane. Prints p50/p99 of
 * reconcile wall time, and the time until every pod exists. Figures only; nothing asserts a time.
 *
 * Steps are one HPA sync period apart (15 s virtual at k=10), the pace at which an HPA writes.
 *
 *   npm run bench:ew-scale -- [replicas=2000] [ecsNodes=100] [steps=20]
 */
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startCluster } from '../../cluster/local/index.ts';
import { installCrd, startController, EW_GROUP, EW_PLURAL, EW_VERSION } from '../../cluster/elasticworkload/index.ts';
import { percentile } from '../stats.ts';

const total = Number(process.argv[2] ?? 2000);
const ecsNodes = Number(process.argv[3] ?? 100);
const steps = Number(process.argv[4] ?? 20);

const c = await startCluster({ name: 'bench-ew', compression: 10, nodePools: { ecs: [{ name: 'ecs', count: ecsNodes, pods: 110 }] } });
const stopAll = async () => {
  await ctl.stop().catch(() => {});
  await c.stop();
};
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
const apps = c.kubeConfig.makeApiClient(AppsV1Api);
const core = c.kubeConfig.makeApiClient(CoreV1Api);
const custom = c.kubeConfig.makeApiClient(CustomObjectsApi);
await installCrd(c.kubeConfig);
const samples: number[] = [];
const outcomes: Record<string, number> = {};
const ctl = startController({
  kubeConfig: c.kubeConfig,
  onReconcile: (_k, ms, outcome) => {
    samples.push(ms);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  },
});
await ctl.synced;
const sourceMax = Math.floor(total / 2);
try {
  await apps.createNamespacedDeployment({
    namespace: 'default',
    body: {
      metadata: { name: 'chat' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'chat' } },
        template: { metadata: { labels: { app: 'chat' } }, spec: { containers: [{ name: 'chat', image: 'chat:1', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } },
      },
    },
  });
  await custom.createNamespacedCustomObject({
    group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace: 'default',
    body: {
      apiVersion: `${EW_GROUP}/${EW_VERSION}`, kind: 'ElasticWorkload', metadata: { name: 'chat' },
      spec: {
        sourceTarget: { name: 'chat', kind: 'Deployment', apiVersion: 'apps/v1', min: 0, max: sourceMax },
        replicas: 0,
        elasticUnit: [{ name: 'virtual-kubelet', nodeSelector: { type: 'virtual-kubelet' }, tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }] }],
      },
    },
  });
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    const r = Math.round((total * i) / steps);
    await custom.patchNamespacedCustomObject(
      { group: EW_GROUP, version: EW_VERSION, plural: EW_PLURAL, namespace: 'default', name: 'chat', body: { spec: { replicas: r } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await new Promise((res) => setTimeout(res, 1500));
  }
  const splitDone = performance.now();
  for (;;) {
    const [src, unit] = await Promise.all([
      apps.readNamespacedDeployment({ name: 'chat', namespace: 'default' }),
      apps.readNamespacedDeployment({ name: 'chat-unit-virtual-kubelet', namespace: 'default' }).catch(() => undefined),
    ]);
    if (src.spec?.replicas === sourceMax && unit?.spec?.replicas === total - sourceMax && (src.status?.replicas ?? 0) + (unit?.status?.replicas ?? 0) === total) break;
    await new Promise((res) => setTimeout(res, 500));
    process.stderr.write(`\rpods: source ${src.status?.replicas ?? 0}/${sourceMax}, unit ${unit?.status?.replicas ?? 0}/${total - sourceMax}   `);
  }
  const allPods = performance.now();
  const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=chat' })).items;
  const onVirtual = pods.filter((p) => p.spec?.nodeName === c.virtualNode).length;
  process.stderr.write('\n');
  console.log(`ElasticWorkload 0 → ${total} replicas in ${steps} steps, ${ecsNodes} ECS nodes + virtual node, source max ${sourceMax}`);
  console.log(`  reconciles: ${samples.length} (${Object.entries(outcomes).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  console.log(`  reconcile latency: p50 ${percentile(samples, 50).toFixed(1)} ms   p90 ${percentile(samples, 90).toFixed(1)} ms   p99 ${percentile(samples, 99).toFixed(1)} ms   max ${Math.max(...samples).toFixed(1)} ms   (goal p99 ≤ 200 ms)`);
  console.log(`  slowest: ${[...samples].sort((a, b) => b - a).slice(0, 5).map((x) => x.toFixed(0)).join(', ')} ms (the first includes the unit Deployment's creation)`);
  console.log(`  spec updates done after ${((splitDone - t0) / 1000).toFixed(1)} s; all ${total} pods exist after ${((allPods - t0) / 1000).toFixed(1)} s (${onVirtual} on the virtual node)`);
} finally {
  await stopAll();
}
