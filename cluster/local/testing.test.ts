import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from './lifecycle.ts';
import { SHARED_CLUSTER_CONFIG } from './shared-cluster.setup.ts';
import { sharedCluster } from './testing.ts';

describe('the shared e2e cluster helper', () => {
  it('outside the e2e project (no global setup provided it) says where it works instead of waiting', async () => {
    const t0 = Date.now();
    await expect(sharedCluster()).rejects.toThrow(/run this file in the e2e project/);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('its configuration is a valid cluster configuration with what the converted files assert on', () => {
    const c = parseClusterConfig(SHARED_CLUSTER_CONFIG);
    expect(c.compression).toBe(10);
    expect(c.nodePools.ecs[0]).toMatchObject({ count: 3, labels: { 'alibabacloud.com/nodepool-id': 'np-ecs' } });
    expect(c.nodePools.eci).toMatchObject({ enabled: true, startLatency: { startSeconds: 10, imagePull: { min: 2, max: 2 }, jitterSeconds: 0 } });
  });
});
