import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RedisClient } from '../../core/redis-client';
import type { Logger } from '../../core/logger';
import { upstreamUnavailable } from '../../core/errors';
import { signRequest } from './hmac-canonical-request';
import { createOAuth2TokenSource, TokenFetchError } from './oauth2-token-source';
import { readSecret } from './secret-ref';
import type { UpstreamCredentialsOptions } from './upstream-credentials-options';

/** One request as the transport is about to send it. */
export interface OutgoingRequest {
  method: string;
  /** Path and query as sent. */
  target: string;
  body?: string | Uint8Array;
}

/** A source's credentials, resolved once at load: secrets read, PEM files loaded. */
export interface UpstreamCredentials {
  /** Headers that authenticate this one request (per attempt: HMAC signs each with a fresh nonce and date). */
  headersFor(request: OutgoingRequest): Promise<Record<string, string>>;
  /** The upstream answered 401 to a request carrying these headers. */
  rejected(headers: Record<string, string>): Promise<void>;
  /** Client certificate and CA for the TLS handshake, when `tls` is set. */
  readonly tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

export interface UpstreamCredentialsParts {
  source: string;
  logger: Logger;
  /** Where relative secret and PEM files resolve. */
  baseDir: string;
  redis?: RedisClient;
  redisKeyPrefix?: string;
  now?: () => number;
}

function readPem(path: string | undefined, what: string, baseDir: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(resolve(baseDir, path));
  } catch (error) {
    throw new Error(`${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Builds a source's credentials (config validation has checked their shape).
 * Reading a secret fails start-up with the variable or file named, never the value.
 */
export function createUpstreamCredentials(
  options: UpstreamCredentialsOptions,
  parts: UpstreamCredentialsParts,
): UpstreamCredentials {
  const what = `source "${parts.source}" credentials`;
  const tls = options.tls && {
    ca: readPem(options.tls.ca, `${what}.tls.ca`, parts.baseDir),
    cert: readPem(options.tls.cert, `${what}.tls.cert`, parts.baseDir),
    key: readPem(options.tls.key, `${what}.tls.key`, parts.baseDir),
  };
  if (options.bearer) {
    const authorization = `Bearer ${readSecret(options.bearer, `${what}.bearer`, parts.baseDir)}`;
    return { tls, headersFor: async () => ({ authorization }), rejected: async () => undefined };
  }
  if (options.hmac) {
    const { keyId } = options.hmac;
    const secret = readSecret(options.hmac.secret, `${what}.hmac.secret`, parts.baseDir);
    return {
      tls,
      headersFor: async (request) => signRequest(keyId, secret, request, new Date(parts.now?.() ?? Date.now())),
      rejected: async () => undefined,
    };
  }
  if (options.oauth2) {
    const tokens = createOAuth2TokenSource(options.oauth2, {
      source: parts.source,
      clientSecret: readSecret(options.oauth2.clientSecret, `${what}.oauth2.clientSecret`, parts.baseDir),
      logger: parts.logger,
      redis: parts.redis,
      redisKeyPrefix: parts.redisKeyPrefix,
      now: parts.now,
    });
    return {
      tls,
      async headersFor() {
        try {
          return { authorization: `Bearer ${await tokens.token()}` };
        } catch (error) {
          if (error instanceof TokenFetchError) throw upstreamUnavailable(parts.source, error.message);
          throw error;
        }
      },
      async rejected(headers) {
        const token = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
        if (token) await tokens.invalidate(token);
      },
    };
  }
  return { tls, headersFor: async () => ({}), rejected: async () => undefined };
}
