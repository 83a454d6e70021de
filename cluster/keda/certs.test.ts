import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { certificateNames, makeKedaCertificates, serverExtensions } from './certs.ts';
import { externalMetricsObjects, metricsApiserverArgs, operatorArgs } from './manager.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the certificates KEDA\'s processes share', () => {
  it('name loopback, the Service the aggregator verifies and the address the API server dials (an IP as an IP SAN, a name as a DNS SAN)', () => {
    expect(certificateNames({ service: 'keda-metrics-apiserver', namespace: 'keda' })).toEqual({
      ips: ['127.0.0.1'],
      dns: ['localhost', 'keda-metrics-apiserver.keda.svc', 'keda-metrics-apiserver.keda.svc.cluster.local'],
    });
    expect(certificateNames({ host: '172.18.0.1', service: 's', namespace: 'n' }).ips).toEqual(['127.0.0.1', '172.18.0.1']);
    expect(certificateNames({ host: 'host.docker.internal', service: 's', namespace: 'n' }).dns).toContain('host.docker.internal');
    expect(serverExtensions({ ips: ['127.0.0.1'], dns: ['localhost'] })).toContain('subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  });

  it('are a CA and a pair it signed, for both server and client use, carrying every name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keda-certs-'));
    dirs.push(dir);
    const names = certificateNames({ host: '172.18.0.1', service: 'keda-metrics-apiserver', namespace: 'keda' });
    const c = await makeKedaCertificates(join(dir, 'certs'), names);
    const ca = new X509Certificate(c.caPem);
    const leaf = new X509Certificate(readFileSync(c.certFile));
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('172.18.0.1')).toBe('172.18.0.1');
    expect(leaf.checkHost('keda-metrics-apiserver.keda.svc')).toBe('keda-metrics-apiserver.keda.svc');
    expect(leaf.checkHost('example.com')).toBeUndefined();
    expect(leaf.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    // openssl agrees the chain verifies (what Go's TLS stacks on both ends check).
    expect(execFileSync('openssl', ['verify', '-CAfile', c.caFile, c.certFile], { encoding: 'utf8' })).toMatch(/OK/);
  });
});

describe('KEDA\'s processes and the objects that reach them', () => {
  it('set every listener explicitly (both default to :8080), on loopback where the flag takes a host', () => {
    const op = operatorArgs({ kubeconfig: 'k', certDir: 'c', metricsPort: 1, healthPort: 2, metricsServicePort: 3 });
    expect(op).toEqual(expect.arrayContaining(['--metrics-bind-address=127.0.0.1:1', '--health-probe-bind-address=127.0.0.1:2', '--metrics-service-bind-address=127.0.0.1:3', '--leader-elect=false', '--enable-cert-rotation=false', '--enable-apiservice-patching=false']));
    const ms = metricsApiserverArgs({ kubeconfig: 'k', certDir: 'c', securePort: 4, bindAddress: '127.0.0.1', metricsPort: 5, metricsServicePort: 3 });
    expect(ms).toEqual(expect.arrayContaining(['--secure-port=4', '--bind-address=127.0.0.1', '--port=5', '--metrics-service-address=127.0.0.1:3', '--tls-cert-file=c/tls.crt']));
  });

  it('register v1beta1.external.metrics.k8s.io through an ExternalName Service with the CA as caBundle (never insecureSkipTLSVerify)', () => {
    const { service, apiService } = externalMetricsObjects({ host: 'localhost', port: 4443, caPem: 'PEM' }) as { service: { spec: Record<string, unknown> }; apiService: { metadata: { name: string }; spec: Record<string, unknown> } };
    expect(service.spec).toMatchObject({ type: 'ExternalName', externalName: 'localhost', ports: [{ port: 4443 }] });
    expect(apiService.metadata.name).toBe('v1beta1.external.metrics.k8s.io');
    expect(apiService.spec).toMatchObject({ group: 'external.metrics.k8s.io', version: 'v1beta1', service: { name: 'keda-metrics-apiserver', namespace: 'keda', port: 4443 }, caBundle: Buffer.from('PEM').toString('base64') });
    expect(apiService.spec.insecureSkipTLSVerify).toBeUndefined();
  });
});
