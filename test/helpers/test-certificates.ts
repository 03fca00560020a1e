import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files made for one test run with the openssl CLI; never committed. */
export interface TestCertificates {
  readonly dir: string;
  /** A CA that signs the server's and the client's certificates. */
  readonly caCert: string;
  /** The listener's certificate (127.0.0.1 and localhost) and key. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate from the CA (mutual TLS). */
  readonly clientCert: string;
  readonly clientKey: string;
  /** A self-signed client certificate the CA never signed. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** P-256 keys: quick to make, and what a modern listener would carry. */
function newKey(dir: string, name: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name], dir);
}

function signed(dir: string, name: string, subject: string, extensions: string): void {
  newKey(dir, `${name}.key`);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
}

export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'loom-tls-'));
  newKey(dir, 'ca.key');
  openssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=Loom test CA', '-days', '1', '-out', 'ca.pem'], dir);
  signed(dir, 'server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  signed(dir, 'client', '/CN=web-client', 'extendedKeyUsage=clientAuth\n');
  newKey(dir, 'stranger.key');
  openssl(
    ['req', '-x509', '-new', '-key', 'stranger.key', '-subj', '/CN=stranger', '-days', '1', '-out', 'stranger.pem'],
    dir,
  );
  const at = (name: string) => join(dir, name);
  return {
    dir,
    caCert: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    strangerCert: at('stranger.pem'),
    strangerKey: at('stranger.key'),
  };
}
