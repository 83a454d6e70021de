import type { KubeConfig } from '@kubernetes/client-node';
import type { Component, ComponentContext } from '../../../core/component.ts';
import { UserError } from '../../../core/errors.ts';
import { parseQuantity } from '../../../core/units.ts';
import { waitUntil } from '../../../core/wait.ts';
import { getRaw } from '../k8s-get.ts';

/**
 * Ready when the custom metrics API serves the HPA's metric, as the HPA will read it. On a cluster
 * ebbflow did not create the adapter may be the cluster's own, configured by someone else: a
 * timeout is the user's to fix, so it says what to check instead of the warm-up's generic error.
 */
export class MetricServedComponent implements Component {
  readonly name = 'custom-metric';
  value: number | undefined;

  constructor(private readonly o: { kubeConfig: KubeConfig; metric: { namespace: string; service: string; name: string }; timeoutSeconds: number; hint: string }) {}

  async start(): Promise<void> {}

  async ready(ctx: ComponentContext): Promise<void> {
    const m = this.o.metric;
    const path = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${m.namespace}/services/${m.service}/${m.name}`;
    ctx.progress(`waiting for ${path}`);
    try {
      this.value = await waitUntil(`${m.name} on the custom metrics API`, this.o.timeoutSeconds * 1000, async () => {
        const v = (await getRaw<{ items?: { value: string }[] }>(this.o.kubeConfig, path))?.items?.[0]?.value;
        return v === undefined ? undefined : parseQuantity(v);
      }, undefined, 1000, ctx.signal);
    } catch (e) {
      if ((e as Error).name === 'Interrupted') throw e;
      throw new UserError(`the custom metrics API did not serve ${m.name} for services/${m.service} in ${m.namespace} within ${this.o.timeoutSeconds} s`, this.o.hint);
    }
  }

  async stop(): Promise<void> {}
}
