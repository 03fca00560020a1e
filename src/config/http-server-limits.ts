import { ConfigError } from '../core/errors';

/** `server` in mesh.config.ts: how long a client may take to send a request, and how many may be connected. */
export interface HttpServerLimits {
  /**
   * Most time a client may take to send the request headers, in ms; then the
   * connection is answered 408 and closed (slowloris). @default 10000
   */
  headersTimeoutMs?: number;
  /**
   * Most time a client may take to send the whole request, body included, in
   * ms. It bounds receiving only: a long answer (an SSE subscription) is not
   * cut. At least `headersTimeoutMs`. @default 30000
   */
  requestTimeoutMs?: number;
  /** Most open client connections; further ones are closed on arrival. @default 1024 */
  maxConnections?: number;
}

export type ResolvedHttpServerLimits = Readonly<Required<HttpServerLimits>>;

export const DEFAULT_HTTP_SERVER_LIMITS: ResolvedHttpServerLimits = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1024,
});

/** Checks the `server` block once, at load; messages name the file and the field. */
export function validateHttpServerLimits(file: string, raw: unknown): ResolvedHttpServerLimits {
  if (raw === undefined) return DEFAULT_HTTP_SERVER_LIMITS;
  if (!raw || typeof raw !== 'object') throw new ConfigError(`${file}: server must be an object`);
  const limits = { ...DEFAULT_HTTP_SERVER_LIMITS, ...(raw as HttpServerLimits) };
  for (const name of ['headersTimeoutMs', 'requestTimeoutMs', 'maxConnections'] as const) {
    const value = limits[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new ConfigError(`${file}: server.${name} must be a positive integer, got ${JSON.stringify(value)}`);
    }
  }
  // node:http refuses a headers timeout longer than the request timeout.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError(
      `${file}: server.headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed server.requestTimeoutMs (${limits.requestTimeoutMs})`,
    );
  }
  return Object.freeze({
    headersTimeoutMs: limits.headersTimeoutMs,
    requestTimeoutMs: limits.requestTimeoutMs,
    maxConnections: limits.maxConnections,
  });
}
