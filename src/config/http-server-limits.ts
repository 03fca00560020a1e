import type { z } from 'zod';
import { ConfigError } from '../core/errors';
import { positiveInteger, strictObject } from '../core/options-schema';

/** `server` in mesh.config.ts: how long a client may take to send a request, and how many may be connected. */
export const httpServerLimitsSchema = strictObject({
  /**
   * Most time a client may take to send the request headers, in ms; then the
   * connection is answered 408 and closed (slowloris). @default 10000
   */
  headersTimeoutMs: positiveInteger().optional(),
  /**
   * Most time a client may take to send the whole request, body included, in
   * ms. It bounds receiving only: a long answer (an SSE subscription) is not
   * cut. At least `headersTimeoutMs`. @default 30000
   */
  requestTimeoutMs: positiveInteger().optional(),
  /** Most open client connections; further ones are closed on arrival. @default 1024 */
  maxConnections: positiveInteger().optional(),
});

export type HttpServerLimits = z.input<typeof httpServerLimitsSchema>;

export type ResolvedHttpServerLimits = Readonly<Required<HttpServerLimits>>;

export const DEFAULT_HTTP_SERVER_LIMITS: ResolvedHttpServerLimits = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1024,
});

/**
 * Fills the defaults into a `server` block the schema has checked, and checks
 * what the schema cannot: node:http refuses a headers timeout longer than the
 * request timeout.
 */
export function resolveHttpServerLimits(file: string, limits: HttpServerLimits = {}): ResolvedHttpServerLimits {
  const resolved = {
    headersTimeoutMs: limits.headersTimeoutMs ?? DEFAULT_HTTP_SERVER_LIMITS.headersTimeoutMs,
    requestTimeoutMs: limits.requestTimeoutMs ?? DEFAULT_HTTP_SERVER_LIMITS.requestTimeoutMs,
    maxConnections: limits.maxConnections ?? DEFAULT_HTTP_SERVER_LIMITS.maxConnections,
  };
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    throw new ConfigError(
      `${file}: server.headersTimeoutMs (${resolved.headersTimeoutMs}) must not exceed server.requestTimeoutMs (${resolved.requestTimeoutMs})`,
    );
  }
  return Object.freeze(resolved);
}
