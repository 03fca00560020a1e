import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { nonEmptyString, oneOf, strictObject } from '../core/options-schema';

const pemFile = () => nonEmptyString('must be the path of a PEM file');

/** `tls` in mesh.config.ts: HTTPS on the client listener. Paths are relative to the config file. */
export const tlsOptionsSchema = strictObject({
  /** PEM certificate chain the listener presents (leaf first, then intermediates). */
  cert: pemFile(),
  /** PEM private key of `cert`. */
  key: pemFile(),
  /**
   * PEM CA bundle that client certificates must chain to. When set, every
   * client must present one (mutual TLS); a client without is refused during
   * the handshake. @default none (no client certificates asked for)
   */
  ca: pemFile().optional(),
  /**
   * With `ca`: `require` refuses a client without a certificate from `ca`
   * during the handshake; `request` asks for one but lets the connection
   * through either way, so a BFF's `useAuth({ clientCert })` can answer 401
   * UNAUTHENTICATED (and other BFFs can serve clients without one).
   * @default 'require'
   */
  clientCertificates: oneOf(['require', 'request'] as const).optional(),
});

export type TlsOptions = z.input<typeof tlsOptionsSchema>;

/** Absolute paths, plus the paths as written (for messages). */
export interface ResolvedTls {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
  /** @default 'require' */
  readonly clientCertificates?: 'require' | 'request';
  readonly shown: Readonly<{ cert: string; key: string; ca?: string }>;
}

const absolute = (configDir: string, location: string) =>
  isAbsolute(location) ? location : resolve(configDir, location);

/** What the schema cannot see: each file present. Reading and parsing happen at listen (src/server). */
export function tlsFileProblems(file: string, configDir: string, tls: unknown): string[] {
  if (!tls || typeof tls !== 'object') return [];
  const problems: string[] = [];
  for (const name of ['cert', 'key', 'ca'] as const) {
    const location = (tls as Record<string, unknown>)[name];
    if (typeof location === 'string' && location !== '' && !existsSync(absolute(configDir, location)))
      problems.push(`${file}: tls.${name} file ${location} not found`);
  }
  return problems;
}

export function resolveTls(configDir: string, tls: TlsOptions | undefined): ResolvedTls | undefined {
  if (!tls) return undefined;
  return {
    cert: absolute(configDir, tls.cert),
    key: absolute(configDir, tls.key),
    ...(tls.ca ? { ca: absolute(configDir, tls.ca) } : {}),
    clientCertificates: tls.clientCertificates ?? 'require',
    shown: { cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}) },
  };
}
