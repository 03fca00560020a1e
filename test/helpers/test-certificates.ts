import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a throw-away CA, a server certificate for 127.0.0.1 and client certificates, made per test run. */
export interface TestCertificates {
  dir: string;
  /** Paths. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate from another CA: must be refused. */
  strangerCert: string;
  strangerKey: string;
  /** A client certificate from the CA with an OU and SANs (DNS, URI): `/CN=billing-service/O=Loom/OU=ops`. */
  serviceCert: string;
  serviceKey: string;
  /** A client certificate from the CA whose validity ended a day ago. */
  expiredCert: string;
  expiredKey: string;
  read(path: string): Buffer;
  remove(): void;
}

/** `openssl req` arguments for a new, unencrypted P-256 key. */
const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** `days` may be negative (openssl then dates notAfter in the past): an expired certificate. */
function issue(dir: string, name: string, subject: string, ca: string, extensions: string, days = 1): void {
  openssl(dir, ['req', ...NEW_P256_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    String(days),
    '-extfile',
    `${name}.ext`,
  ]);
}

function selfSignedCa(dir: string, name: string, subject: string): void {
  openssl(dir, [
    'req',
    '-x509',
    ...NEW_P256_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-subj',
    subject,
    '-days',
    '1',
  ]);
}

/** Generates everything with the openssl command in a fresh temporary directory; nothing is committed. */
export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'loom-certs-'));
  selfSignedCa(dir, 'ca', '/CN=Loom Test CA');
  selfSignedCa(dir, 'stranger-ca', '/CN=Someone Else CA');
  issue(
    dir,
    'server',
    '/CN=127.0.0.1',
    'ca',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  issue(dir, 'client', '/CN=loom-gateway/O=Loom', 'ca', 'extendedKeyUsage=clientAuth\n');
  issue(dir, 'stranger', '/CN=intruder', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  issue(
    dir,
    'service',
    '/CN=billing-service/O=Loom/OU=ops',
    'ca',
    'extendedKeyUsage=clientAuth\nsubjectAltName=DNS:billing.internal,URI:spiffe://loom.test/billing\n',
  );
  issue(dir, 'expired', '/CN=retired-service', 'ca', 'extendedKeyUsage=clientAuth\n', -1);
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    strangerCert: join(dir, 'stranger.crt'),
    strangerKey: join(dir, 'stranger.key'),
    serviceCert: join(dir, 'service.crt'),
    serviceKey: join(dir, 'service.key'),
    expiredCert: join(dir, 'expired.crt'),
    expiredKey: join(dir, 'expired.key'),
    read: (path) => readFileSync(path),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
