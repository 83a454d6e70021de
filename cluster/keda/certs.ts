import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { UserError } from '../../core/errors.ts';

/**
 * The certificates KEDA's two processes share, made here instead of by the operator's own rotation
 * (`--enable-cert-rotation`), which issues them for in-cluster Service names only and patches the
 * APIService: one CA, and one key pair for both ends (the metrics apiserver serves the aggregator
 * and dials the operator's gRPC metrics service over mutual TLS; each reads `ca.crt`, `tls.crt`,
 * `tls.key` from its `--cert-dir`, as KEDA's `kedaorg-certs` Secret lays them out).
 */
export interface KedaCertificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The CA in PEM, for the APIService's caBundle. */
  caPem: string;
}

/**
 * The names the server certificate must carry: loopback (the metrics apiserver dials the operator
 * there), the address the API server reaches this machine at (kind: the Docker gateway), and the
 * Service name the aggregator verifies (`<service>.<namespace>.svc`, whatever address it dials).
 */
export function certificateNames(o: { host?: string; service: string; namespace: string }): { ips: string[]; dns: string[] } {
  const ips = new Set(['127.0.0.1']);
  const dns = new Set(['localhost', `${o.service}.${o.namespace}.svc`, `${o.service}.${o.namespace}.svc.cluster.local`]);
  if (o.host) (isIP(o.host) ? ips : dns).add(o.host);
  return { ips: [...ips], dns: [...dns] };
}

/** The openssl extension section of the server (and client) certificate. */
export function serverExtensions(names: { ips: string[]; dns: string[] }): string {
  const alt = [...names.dns.map((d) => `DNS:${d}`), ...names.ips.map((i) => `IP:${i}`)].join(',');
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    // Both: the same pair serves the aggregator and authenticates the gRPC client to the operator.
    'extendedKeyUsage=serverAuth,clientAuth',
    `subjectAltName=${alt}`,
    '',
  ].join('\n');
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execa('openssl', args, { cwd, stdin: 'ignore' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError('openssl is not installed; ebbflow makes the serving certificates of KEDA\'s processes with it', 'install openssl (Debian/Ubuntu: apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
  }
}

/** A CA and a key pair signed by it, valid for a day (a run's lifetime), in `dir`. */
export async function makeKedaCertificates(dir: string, names: { ips: string[]; dns: string[] }): Promise<KedaCertificates> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'server.ext'), serverExtensions(names));
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/O=ebbflow/CN=ebbflow-keda-ca', '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/O=ebbflow/CN=keda', '-keyout', 'tls.key', '-out', 'tls.csr'], dir);
  await openssl(['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'server.ext', '-out', 'tls.crt'], dir);
  return { dir, caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), caPem: readFileSync(join(dir, 'ca.crt'), 'utf8') };
}
