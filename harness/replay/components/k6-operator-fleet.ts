import { createServer, type Server } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Component, ComponentContext } from '../../../core/component.ts';
import { applyObjects, ensureK6OperatorImage, installK6Operator, operatorLog, waitForStage } from '../../../cluster/k6-operator/operator.ts';
import { testRunObject } from '../../../cluster/k6-operator/objects.ts';
import { ensureNodeBaseImages, nodeBaseImageTags } from '../../../cluster/kind/images.ts';
import { kindLoadImages } from '../../../cluster/kind/cluster.ts';
import { rawApi } from '../../../cluster/local/raw-api.ts';
import type { ToolchainProgress } from '../../../cluster/toolchain/index.ts';
import { fleetLayout, fleetScript, type FleetLayout } from '../fleet.ts';
import { distinctDevices, FLEET_DEVICE_FIELD, type K6FleetOptions } from './k6-fleet.ts';

export const TESTRUN_NAME = 'ebbflow-fleet';
const SCRIPT_KEY = 'fleet.js';

/** The fleet's own part is the local fleet's (`K6FleetOptions`); the rest says where its runners run. */
export interface K6OperatorFleetOptions extends Omit<K6FleetOptions, 'cluster' | 'dir'> {
  /** The kind cluster (`kind load` target) and its API. */
  kindCluster: string;
  kubeconfig: string;
  kc: KubeConfig;
  /** This machine as the cluster's pods reach it (kind's gateway): the fake SLS and the control endpoint listen there. */
  hostAddress: string;
  namespace: string;
  /** Runner pods (the TestRun's parallelism). */
  runners: number;
  /** How long the runners run (a k6 duration); default 24h (until stop). */
  duration?: string;
  progress?: (line: string) => void;
  toolchainProgress?: ToolchainProgress;
}

/**
 * Events mode's fleet as a k6-operator TestRun on a kind cluster: the operator (built by the
 * toolchain on first use) in the cluster, one image for its pods `kind load`ed (no registry), the
 * script fleet.ts writes in a ConfigMap, `runners` runner pods each running an execution segment of
 * the VUs (devices stay disjoint through `exec.vu.idInTest`), started together by the operator's
 * starter once every runner's REST API answers. The fake SLS and the control endpoint must listen
 * on `hostAddress`.
 */
export class K6OperatorFleetComponent implements Component {
  readonly name = 'k6-operator-fleet';
  readonly layout: FleetLayout;
  /** The TestRun's stages in the order seen (`created`, `started`, `finished`, …). */
  readonly stages: string[] = [];
  private control: Server | undefined;
  /**
   * Control requests per global VU id (`?vu=`): runner i of n holds only the VUs of its execution
   * segment, so the ids say which runners run (pod addresses do not: the node masquerades them).
   */
  readonly controlByVu = new Map<number, number>();

  constructor(private readonly o: K6OperatorFleetOptions) {
    this.layout = fleetLayout(o);
  }

  async start(): Promise<void> {
    const base = nodeBaseImageTags(process.version)[0]!;
    await ensureNodeBaseImages();
    const image = await ensureK6OperatorImage(base, { progress: this.o.progress, toolchainProgress: this.o.toolchainProgress });
    this.o.progress?.(`kind load ${image}`);
    await kindLoadImages(this.o.kindCluster, [image]);
    this.o.progress?.('installing k6-operator');
    await installK6Operator(this.o.kc, image);
    const port = await this.listenControl();
    const sls = this.o.sls();
    const script = fleetScript({
      layout: this.layout,
      trackUrl: `http://${this.o.hostAddress}:${sls.port}/logstores/${this.o.logstore}/track`,
      host: `${this.o.project}.${sls.endpoint}`,
      controlUrl: `http://${this.o.hostAddress}:${port}/target`,
      deviceField: FLEET_DEVICE_FIELD,
      ...(this.o.duration ? { duration: this.o.duration } : {}),
    });
    const ns = this.o.namespace;
    await applyObjects(this.o.kc, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: TESTRUN_NAME, namespace: ns }, data: { [SCRIPT_KEY]: script } } as never,
      testRunObject({ name: TESTRUN_NAME, namespace: ns, parallelism: this.o.runners, configMap: TESTRUN_NAME, file: SCRIPT_KEY, image, env: { K6_NO_USAGE_REPORT: 'true' } }),
    ]);
  }

  private async listenControl(): Promise<number> {
    this.control = createServer((req, res) => {
      const vu = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('vu'));
      if (Number.isInteger(vu) && vu > 0) this.controlByVu.set(vu, (this.controlByVu.get(vu) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ devices: Math.max(0, Math.round(this.o.target())) }));
    });
    return new Promise<number>((r, j) => {
      this.control!.once('error', j);
      this.control!.listen(0, this.o.hostAddress, () => r((this.control!.address() as { port: number }).port));
    });
  }

  /** Ready when the operator's starter has run (stage `started`): every runner was up and unpaused. */
  async ready(ctx?: ComponentContext): Promise<void> {
    void ctx;
    await this.waitForStage('started', 300_000);
  }

  /** Waits for a stage (or a later one); fails at stage `error` with the operator's log. */
  async waitForStage(stage: 'started' | 'finished', timeoutMs: number): Promise<string[]> {
    return waitForStage(this.o.kc, this.o.namespace, TESTRUN_NAME, stage, timeoutMs, () => operatorLog(this.o.kubeconfig), this.stages);
  }

  /** Distinct devices the fake holds in the `windowSeconds` before its virtual now. */
  held(windowSeconds: number): number {
    const toS = Math.floor(this.o.now() / 1000);
    return distinctDevices(this.o.sls(), this.o.project, this.o.logstore, toS - windowSeconds, toS);
  }

  /** Deletes the TestRun (its runner Jobs and Services go with it) and closes the control endpoint. */
  async stop(): Promise<void> {
    await rawApi(this.o.kc, 'DELETE', `/apis/k6.io/v1alpha1/namespaces/${this.o.namespace}/testruns/${TESTRUN_NAME}`).catch(() => undefined);
    await new Promise<void>((r) => (this.control ? this.control.close(() => r()) : r()));
  }
}
