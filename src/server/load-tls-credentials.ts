import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { ResolvedTls } from '../config/tls-options';
import { StartupError } from '../core/errors';

export interface TlsCredentials {
  readonly key: Buffer;
  readonly cert: Buffer;
  readonly ca?: Buffer;
  /** With `ca`: refuse clients without a valid certificate at the handshake (`require`), or let useAuth decide. */
  readonly clientCertificates?: 'require' | 'request';
}

const READ_FAULTS: Readonly<Record<string, string>> = {
  ENOENT: 'not found',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

function readPem(tls: ResolvedTls, name: 'cert' | 'key' | 'ca'): Buffer {
  try {
    return readFileSync(tls[name]!);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartupError(
      `cannot use TLS: tls.${name} ${tls.shown[name]}: ${(code && READ_FAULTS[code]) ?? (error as Error).message} (${code ?? 'error'})`,
    );
  }
}

function parsed(tls: ResolvedTls, name: 'cert' | 'key' | 'ca', parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    const what = name === 'key' ? 'a PEM private key' : 'a PEM certificate';
    throw new StartupError(
      `cannot use TLS: tls.${name} ${tls.shown[name]} is not ${what} (${(error as Error).message})`,
    );
  }
}

/**
 * Reads and checks the listener's PEM files before it binds. Every fault is
 * one line naming the file as the config wrote it: unreadable, not PEM, or a
 * key that does not belong to the certificate.
 */
export function loadTlsCredentials(tls: ResolvedTls): TlsCredentials {
  const key = readPem(tls, 'key');
  const cert = readPem(tls, 'cert');
  const ca = tls.ca ? readPem(tls, 'ca') : undefined;
  parsed(tls, 'key', () => createPrivateKey(key));
  parsed(tls, 'cert', () => new X509Certificate(cert));
  if (ca) parsed(tls, 'ca', () => new X509Certificate(ca));
  try {
    createSecureContext({ key, cert, ca });
  } catch (error) {
    throw new StartupError(
      `cannot use TLS: tls.key ${tls.shown.key} does not belong to tls.cert ${tls.shown.cert} (${(error as Error).message})`,
    );
  }
  return { key, cert, ...(ca ? { ca, clientCertificates: tls.clientCertificates ?? 'require' } : {}) };
}
