import { virtualNodeName, type NodePools } from './config.ts';
import { ecsNodeName } from './objects.ts';

/**
 * KWOK Stages that play the kubelet: pods on ECS nodes become Ready after the pool's start latency;
 * pods on the ECI virtual node wait for the ECI agent to stamp a ready time (drawn from the seeded
 * latency distribution) or a failure. Every delay is virtual seconds divided by the compression k.
 */

export const ECI_READY_AT = 'ebbflow.io/eci-ready-at';
export const ECI_LATENCY = 'ebbflow.io/eci-latency-seconds';
export const ECI_FAILURE = 'ebbflow.io/eci-failure';
export const ECI_FAILURE_MODE = 'ebbflow.io/eci-failure-mode';
export const ECI_FAILURE_MESSAGE = 'ebbflow.io/eci-failure-message';

type Obj = Record<string, unknown>;
const podRef = { apiGroup: 'v1', kind: 'Pod' };
const notDeleting = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };
const pending = { key: '.status.phase', operator: 'In', values: ['Pending'] };
const initialized = { key: '.status.conditions.[] | select( .type == "Initialized" ) | .status', operator: 'In', values: ['True'] };
const notRunning = { key: '.status.containerStatuses.[].state.running.startedAt', operator: 'DoesNotExist' };
const ann = (k: string) => `.metadata.annotations["${k}"]`;

const ms = (virtualSeconds: number, k: number) => Math.max(0, Math.round((virtualSeconds * 1000) / k));

function stage(name: string, spec: Obj): Obj {
  return { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Stage', metadata: { name }, spec };
}

/** Every container waiting, with the reason a kubelet would show (a template expression or a word). */
const waitingContainers = (reason: string) => `containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  restartCount: 0
  started: false
  state:
    waiting:
      reason: ${reason}
{{ end }}
`;

/** Node conditions with a fresh heartbeat: both node stages start with this. */
const nodeConditions = `{{ $now := Now }}
{{ $lastTransitionTime := or .metadata.creationTimestamp $now }}
conditions:
{{ range NodeConditions }}
- lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $lastTransitionTime | Quote }}
  message: {{ .message | Quote }}
  reason: {{ .reason | Quote }}
  status: {{ .status | Quote }}
  type: {{ .type | Quote }}
{{ end }}
`;

const readyStatus = `{{ $now := Now }}
{{ $root := . }}
conditions:
- lastProbeTime: null
  lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Ready
- lastProbeTime: null
  lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: ContainersReady
containerStatuses:
{{ range $index, $item := .spec.containers }}
- image: {{ $item.image | Quote }}
  name: {{ $item.name | Quote }}
  ready: true
  restartCount: 0
  started: true
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
phase: Running
startTime: {{ $now | Quote }}
`;

const createStatus = `{{ $now := Now }}
conditions:
- lastProbeTime: null
  lastTransitionTime: {{ $now | Quote }}
  status: "True"
  type: Initialized
- lastProbeTime: null
  lastTransitionTime: {{ $now | Quote }}
  message: 'containers with unready status: [{{ range .spec.containers }} {{ .name }} {{ end }}]'
  reason: ContainersNotReady
  status: "False"
  type: Ready
- lastProbeTime: null
  lastTransitionTime: {{ $now | Quote }}
  message: 'containers with unready status: [{{ range .spec.containers }} {{ .name }} {{ end }}]'
  reason: ContainersNotReady
  status: "False"
  type: ContainersReady
${waitingContainers('ContainerCreating')}hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Pending
`;

const failStatus = (phase: 'Failed' | 'Pending') => `{{ $now := Now }}
conditions:
- lastProbeTime: null
  lastTransitionTime: {{ $now | Quote }}
  message: {{ index .metadata.annotations "${ECI_FAILURE_MESSAGE}" | Quote }}
  reason: {{ index .metadata.annotations "${ECI_FAILURE}" | Quote }}
  status: "False"
  type: Ready
${waitingContainers(`{{ index $.metadata.annotations "${ECI_FAILURE}" | Quote }}`)}phase: ${phase}
reason: {{ index .metadata.annotations "${ECI_FAILURE}" | Quote }}
message: {{ index .metadata.annotations "${ECI_FAILURE_MESSAGE}" | Quote }}
`;

// A declarative template: one stage() literal per KWOK Stage, read top to bottom like the YAML it renders.
// eslint-disable-next-line max-lines-per-function
export function renderStages(p: NodePools, k: number): Obj[] {
  const vnode = virtualNodeName(p.eci);
  const stages: Obj[] = [];

  stages.push(
    stage('node-initialize', {
      resourceRef: { apiGroup: 'v1', kind: 'Node' },
      selector: { matchExpressions: [{ key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'NotIn', values: ['True'] }] },
      next: {
        statusTemplate: `${nodeConditions}addresses:
{{ with NodeIP }}
- address: {{ . | Quote }}
  type: InternalIP
{{ end }}
{{ with NodeName }}
- address: {{ . | Quote }}
  type: Hostname
{{ end }}
{{ with NodePort }}
daemonEndpoints:
  kubeletEndpoint:
    Port: {{ . }}
{{ end }}
allocatable:
{{ YAML .status.allocatable 1 }}
capacity:
{{ YAML .status.capacity 1 }}
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
  kernelVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
phase: Running
`,
      },
    }),
    // Heartbeats are not compressed: node-lifecycle timing is not what a replay measures.
    stage('node-heartbeat', {
      resourceRef: { apiGroup: 'v1', kind: 'Node' },
      selector: {
        matchExpressions: [
          { key: '.status.phase', operator: 'In', values: ['Running'] },
          { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'In', values: ['True'] },
        ],
      },
      delay: { durationMilliseconds: 20_000, jitterDurationMilliseconds: 25_000 },
      next: {
        statusTemplate: nodeConditions,
      },
      immediateNextStage: true,
    }),
    stage('pod-create', {
      resourceRef: podRef,
      selector: { matchExpressions: [notDeleting, { key: '.status.podIP', operator: 'DoesNotExist' }] },
      next: { event: { type: 'Normal', reason: 'Created', message: 'Created container' }, statusTemplate: createStatus },
    }),
  );

  for (const pool of p.ecs) {
    if (pool.count === 0) continue;
    const lo = ms(pool.startLatency.min, k);
    const hi = ms(pool.startLatency.max, k);
    stages.push(
      stage(`pod-ready-${pool.name}`, {
        resourceRef: podRef,
        selector: {
          matchExpressions: [
            notDeleting,
            pending,
            initialized,
            notRunning,
            { key: '.spec.nodeName', operator: 'In', values: Array.from({ length: pool.count }, (_, i) => ecsNodeName(pool, i)) },
          ],
        },
        delay: hi > lo ? { durationMilliseconds: lo, jitterDurationMilliseconds: hi } : { durationMilliseconds: lo },
        next: { event: { type: 'Normal', reason: 'Started', message: 'Started container' }, statusTemplate: readyStatus },
      }),
    );
  }

  if (p.eci.enabled) {
    const onVnode = { key: '.spec.nodeName', operator: 'In', values: [vnode] };
    stages.push(
      stage('pod-ready-eci', {
        resourceRef: podRef,
        selector: {
          matchExpressions: [
            notDeleting,
            pending,
            initialized,
            notRunning,
            onVnode,
            { key: ann(ECI_READY_AT), operator: 'Exists' },
            { key: ann(ECI_FAILURE), operator: 'DoesNotExist' },
          ],
        },
        // The agent stamps an absolute RFC 3339 time; KWOK waits until then.
        delay: { durationMilliseconds: 0, durationFrom: { expressionFrom: ann(ECI_READY_AT) } },
        next: { event: { type: 'Normal', reason: 'Started', message: 'Started container (ECI)' }, statusTemplate: readyStatus },
      }),
      stage('pod-fail-eci', {
        resourceRef: podRef,
        selector: {
          matchExpressions: [notDeleting, pending, onVnode, { key: ann(ECI_FAILURE_MODE), operator: 'In', values: ['failed'] }],
        },
        next: { event: { type: 'Warning', reason: 'ProviderFailed', message: 'ECI instance creation failed' }, statusTemplate: failStatus('Failed') },
      }),
      stage('pod-stuck-eci', {
        resourceRef: podRef,
        selector: {
          matchExpressions: [
            notDeleting,
            pending,
            onVnode,
            { key: ann(ECI_FAILURE_MODE), operator: 'In', values: ['pending'] },
            { key: '.status.reason', operator: 'DoesNotExist' },
          ],
        },
        next: { event: { type: 'Warning', reason: 'ProviderFailed', message: 'ECI instance creation pending' }, statusTemplate: failStatus('Pending') },
      }),
    );
  }

  stages.push(
    stage('pod-delete', {
      resourceRef: podRef,
      selector: { matchExpressions: [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }, { key: '.metadata.finalizers', operator: 'DoesNotExist' }] },
      delay: { durationMilliseconds: ms(1, k) },
      next: { delete: true },
    }),
  );
  return stages;
}
