import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { kindClusterName } from '../../../cluster/kind/cluster.ts';
import { clusterSupervisor, ebbflowClusterDir } from '../../../cluster/local/index.ts';
import { DELETION_COST } from '../../../cluster/resourcepolicy/index.ts';
import { runReplay } from '../../../harness/replay/engine/engine.ts';
import { loadScenario } from '../../../scenarios/index.ts';

const SCENARIO = fileURLToPath(new URL('./testdata/ack/scenario.yaml', import.meta.url));
const NAME = 'e2e-rp-kind';
const NODE = `${kindClusterName(NAME)}-control-plane`;

type Pod = { metadata: { name: string; annotations?: Record<string, string>; deletionTimestamp?: string }; spec: { nodeName?: string } };

describe('replay of a Deployment under a ResourcePolicy on the kind backend (our scheduler on the host in place of kind\'s)', () => {
  it('passes the testdata scenario with kind\'s kube-scheduler stopped, ECS filled to the unit\'s max first, and leaves nothing behind', async () => {
    const scenario = await loadScenario(SCENARIO);
    let kindScheduler = { mirrorPods: '', processes: '' };
    let hostScheduler: string[] = [];
    let webPods: Pod[] = [];
    const r = await runReplay({
      scenario,
      backend: 'kind',
      out: mkdtempSync(join(tmpdir(), 'ebf-rp-kind-')),
      clusterName: NAME,
      beforeTeardown: async (c) => {
        kindScheduler = {
          mirrorPods: await c.kubectl(['get', 'pods', '-n', 'kube-system', '-l', 'component=kube-scheduler', '-o', 'name']),
          processes: (await execa('docker', ['exec', NODE, 'pgrep', '-x', 'kube-scheduler'], { reject: false })).stdout,
        };
        hostScheduler = clusterSupervisor(NAME).list().map((p) => p.label).filter((l) => l === 'resourcepolicy-scheduler');
        webPods = (JSON.parse(await c.kubectl(['get', 'pods', '-n', 'default', '-l', 'app=web', '-o', 'json'])) as { items: Pod[] }).items;
      },
    });
    expect(r.results.filter((x) => !x.passed).map((x) => x.message)).toEqual([]);
    expect(r.passed).toBe(true);
    // Only ours scheduled: kind's static pod and its process were gone while the run's pods were bound.
    expect(kindScheduler).toEqual({ mirrorPods: '', processes: '' });
    expect(hostScheduler).toEqual(['resourcepolicy-scheduler']);
    const scheduled = r.timeline.events.filter((e) => e.type === 'pod.scheduled');
    expect(Math.max(...r.timeline.samples.map((s) => s.ew.source))).toBe(2);
    const eci = scheduled.filter((e) => e.nodeType === 'eci');
    expect(eci.length).toBeGreaterThan(0);
    for (const e of scheduled) expect(e.owner).toBe(e.nodeType === 'eci' ? 'web-eci' : 'source');
    // The first ECI pod was bound only once two ECS pods were (the unit's max), on the kind node.
    const firstEci = Math.min(...eci.map((e) => e.t));
    expect(scheduled.filter((e) => e.nodeType === 'ecs' && e.t <= firstEci)).toHaveLength(2);
    // The deletion-cost controller ran too: the pods left on the ECS unit cost more than an ECI one would.
    const live = webPods.filter((p) => !p.metadata.deletionTimestamp);
    expect(live.length).toBeGreaterThan(0);
    for (const p of live) {
      expect(p.spec.nodeName).toBe(NODE);
      expect(p.metadata.annotations?.[DELETION_COST]).toBe('200');
    }
    // Nothing left: no node container, no host scheduler or vk-eci, no state directory.
    const containers = await execa('docker', ['ps', '-a', '--filter', `name=${kindClusterName(NAME)}`, '--format', '{{.Names}}']);
    expect(containers.stdout.trim()).toBe('');
    expect(existsSync(ebbflowClusterDir(NAME)) ? clusterSupervisor(NAME).list() : []).toEqual([]);
  }, 600_000);
});
