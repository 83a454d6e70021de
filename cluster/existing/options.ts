import { isIP } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import { UserError } from '../../core/errors.ts';
import { readUserFileSync } from '../../core/files.ts';

/**
 * What the `existing` backend is told on the command line, checked before anything touches the
 * cluster. Pure apart from reading the kubeconfig file.
 */
export interface ExistingFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  hostAddress?: string;
}

export interface ExistingTarget {
  kubeconfig: string;
  kubeConfig: KubeConfig;
  context: string;
  namespace: string;
  hostAddress?: string;
}

/**
 * Namespaces a cluster needs for itself: the run deletes its namespace on exit, so these are refused
 * by name even before the ownership label would refuse them.
 */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** A Kubernetes namespace name: an RFC 1123 DNS label (at most 63 lowercase letters, digits, '-'). */
export function validateNamespace(v: string, flag = '--namespace'): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v)) {
    throw new UserError(`${flag} "${v}" is not a namespace name`, 'use a DNS label: at most 63 lowercase letters, digits and -, starting and ending with a letter or digit, e.g. ebbflow-replay');
  }
  if (SYSTEM_NAMESPACES.has(v) || v.startsWith('kube-')) {
    throw new UserError(`${flag} "${v}" is a namespace the cluster needs; ebbflow deletes its namespace when the run ends`, 'name a namespace of its own that does not exist yet, e.g. ebbflow-replay');
  }
  return v;
}

/** An address (IPv4, IPv6 or host name) the cluster's pods can reach this machine at. */
export function validateHostAddress(v: string): string {
  const host = /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/;
  // A dotted quad that is not an IP (300.1.1.1) is no host name either.
  const looksNumeric = /^[\d.]+$/.test(v);
  if (!(isIP(v) || (host.test(v) && !looksNumeric))) {
    throw new UserError(`--host-address "${v}" is not an IP address or host name`, 'give the address of this machine as the cluster\'s pods see it, e.g. --host-address 10.0.0.12');
  }
  if (/^127\.|^localhost$|^::1$/.test(v)) {
    throw new UserError(`--host-address ${v} is a loopback address: pods in the cluster would reach themselves, not this machine`, 'give this machine\'s address on a network the cluster\'s nodes can reach');
  }
  return v;
}

/** Reads and checks the kubeconfig and the context in it; the line of a YAML error is named. */
export function loadKubeconfig(path: string, context?: string): { kubeConfig: KubeConfig; context: string } {
  const hint = 'give a kubeconfig file (e.g. the one `kubectl config view --raw --minify` prints) with --kubeconfig';
  const text = readUserFileSync(path, 'kubeconfig', { hint, maxBytes: 4 * 1024 * 1024 });
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new UserError(`kubeconfig ${path}:${e.linePos?.[0].line ?? '?'}: not valid YAML: ${e.message.split('\n')[0]}`, hint);
  }
  const raw = doc.toJS() as { kind?: unknown; clusters?: unknown; contexts?: unknown } | null;
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.clusters) || !Array.isArray(raw.contexts)) {
    throw new UserError(`kubeconfig ${path}: not a kubeconfig (no clusters: and contexts: lists)`, hint);
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (e) {
    throw new UserError(`kubeconfig ${path}: ${(e as Error).message}`, hint);
  }
  const names = kc.getContexts().map((c) => c.name);
  const chosen = context ?? kc.getCurrentContext();
  if (!chosen) throw new UserError(`kubeconfig ${path} has no current-context`, `name one with --context (it has: ${names.join(', ') || 'none'})`);
  if (!names.includes(chosen)) throw new UserError(`kubeconfig ${path}: context "${chosen}" is not in it`, `choose one of: ${names.join(', ') || 'none (the file has no contexts)'}`);
  kc.setCurrentContext(chosen);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new UserError(`kubeconfig ${path}: context "${chosen}" names no cluster with a server address`, 'fix the context\'s cluster: entry, or choose another with --context');
  try {
    new URL(cluster.server);
  } catch {
    throw new UserError(`kubeconfig ${path}: cluster "${cluster.name}" has server "${cluster.server}", not a URL`, 'the server must look like https://host:6443');
  }
  return { kubeConfig: kc, context: chosen };
}

/** All flags of the existing backend together: kubeconfig and namespace are required. */
export function existingTarget(flags: ExistingFlags): ExistingTarget {
  if (flags.kubeconfig === undefined) throw new UserError('--backend existing needs --kubeconfig', 'give the kubeconfig of the cluster to replay against, e.g. --kubeconfig ~/.kube/staging');
  if (flags.namespace === undefined) throw new UserError('--backend existing needs --namespace', 'name a namespace that does not exist yet; ebbflow creates it, labels it as its own and deletes it at the end, e.g. --namespace ebbflow-replay');
  const namespace = validateNamespace(flags.namespace);
  const hostAddress = flags.hostAddress === undefined ? undefined : validateHostAddress(flags.hostAddress);
  const { kubeConfig, context } = loadKubeconfig(flags.kubeconfig, flags.context);
  return { kubeconfig: flags.kubeconfig, kubeConfig, context, namespace, ...(hostAddress ? { hostAddress } : {}) };
}
