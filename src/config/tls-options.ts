import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../core/errors';

/** `tls` in mesh.config.ts: HTTPS on the client listener. Paths are relative to the config file. */
export interface TlsOptions {
  /** PEM certificate chain the listener presents (leaf first, then intermediates). */
  cert: string;
  /** PEM private key of `cert`. */
  key: string;
  /**
   * PEM CA bundle that client certificates must chain to. When set, every
   * client must present one (mutual TLS); a client without is refused during
   * the handshake. @default none (no client certificates asked for)
   */
  ca?: string;
}

/** Absolute paths, plus the paths as written (for messages). */
export interface ResolvedTls {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
  readonly shown: Readonly<{ cert: string; key: string; ca?: string }>;
}

/** Checks the `tls` block once, at load: each file named and present. Reading and parsing happen at listen. */
export function validateTlsOptions(file: string, configDir: string, raw: unknown): ResolvedTls | undefined {
  if (raw === undefined) return undefined;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(`${file}: tls must be an object with cert and key`);
  const options = raw as Partial<TlsOptions>;
  const problems: string[] = [];
  const resolved: Partial<Record<keyof TlsOptions, string>> = {};
  for (const name of ['cert', 'key', 'ca'] as const) {
    const location = options[name];
    if (location === undefined && name === 'ca') continue;
    if (typeof location !== 'string' || location === '') {
      problems.push(`${file}: tls.${name} must be the path of a PEM file`);
      continue;
    }
    const absolute = isAbsolute(location) ? location : resolve(configDir, location);
    if (!existsSync(absolute)) problems.push(`${file}: tls.${name} file ${location} not found`);
    resolved[name] = absolute;
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return {
    cert: resolved.cert!,
    key: resolved.key!,
    ...(resolved.ca ? { ca: resolved.ca } : {}),
    shown: { cert: options.cert!, key: options.key!, ...(options.ca ? { ca: options.ca } : {}) },
  };
}
