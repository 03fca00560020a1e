import { readCappedStream } from '../../../core/read-capped-stream';
import { createHash } from 'node:crypto';
import type { Counter } from 'prom-client';
import { authUnavailable, unauthenticated } from '../../../core/errors';
import type { RequestIdentity } from '../../../core/context';
import type { Logger } from '../../../core/logger';
import { PolicyOptionError, requireNonEmptyString, requirePositiveInteger } from '../../shared/option-checks';
import type { IntrospectionCache, IntrospectionVerdict } from './introspection-cache';

/** OAuth2 opaque access tokens, checked at the authorization server's introspection endpoint (RFC 7662). */
export interface OAuthIntrospectionOptions {
  /** The introspection endpoint, e.g. `https://auth.example.com/oauth2/introspect`. */
  introspectionUrl: string;
  /** Loom's own client id at the authorization server (HTTP Basic, RFC 6749 2.3.1). */
  clientId: string;
  /** Loom's client secret. From the environment or a file, never the repo; never logged. */
  clientSecret: string;
  /**
   * Longest time an answer is reused, in ms. A cached "active" never outlives
   * the token's `exp`; "inactive" answers are cached too (a revoked token stays
   * revoked), so random tokens cost one call each, not one per request.
   * 0 turns caching off. @default 60000
   */
  cacheTtlMs?: number;
  /** Deadline of one introspection call, in ms; past it the request gets 503 AUTH_UNAVAILABLE. @default 2000 */
  timeoutMs?: number;
  /** Required `iss` member (one of), when the server sends one. */
  issuer?: string | string[];
  /** Required `aud` member (one of). */
  audience?: string | string[];
  /** Allowed clock skew for `exp`/`nbf`, in seconds. @default 5 */
  clockToleranceSeconds?: number;
  /** Member holding the scopes: a space-separated string or a list. @default 'scope' */
  scopesClaim?: string;
  /** Member holding the client's plan (rate limits key on it). @default 'plan' */
  planClaim?: string;
}

/** Longest bearer token sent to the endpoint: longer ones are refused (401) without a call. */
export const MAX_OPAQUE_TOKEN_LENGTH = 4096;
/** Largest introspection answer read; a larger one is garbage (503). */
const MAX_ANSWER_BYTES = 64 * 1024;

export function validateIntrospectionOptions(options: OAuthIntrospectionOptions): void {
  const policy = 'useAuth oauth';
  requireNonEmptyString(policy, 'introspectionUrl', options.introspectionUrl);
  if (!/^https?:\/\//.test(options.introspectionUrl))
    throw new PolicyOptionError(policy, `introspectionUrl must be an http(s) URL, got ${options.introspectionUrl}`);
  requireNonEmptyString(policy, 'clientId', options.clientId);
  // Never echo the secret, even a wrong one.
  if (typeof options.clientSecret !== 'string' || options.clientSecret === '')
    throw new PolicyOptionError(policy, 'clientSecret must be a non-empty string (from the environment or a file)');
  if (options.cacheTtlMs !== undefined && options.cacheTtlMs !== 0)
    requirePositiveInteger(policy, 'cacheTtlMs', options.cacheTtlMs);
  if (options.timeoutMs !== undefined) requirePositiveInteger(policy, 'timeoutMs', options.timeoutMs);
  if (options.clockToleranceSeconds !== undefined && options.clockToleranceSeconds !== 0)
    requirePositiveInteger(policy, 'clockToleranceSeconds', options.clockToleranceSeconds);
}

export interface IntrospectionVerifierParts {
  cache?: IntrospectionCache;
  logger: Logger;
  /** Counts introspections by outcome: cache_hit, active, inactive, unavailable. */
  outcomes?: Counter<'bff' | 'outcome'>;
  bffName: string;
  now?: () => number;
}

export type IntrospectionVerifier = (token: string) => Promise<RequestIdentity>;

const oneOf = (accepted: string | string[] | undefined, value: unknown): boolean => {
  if (accepted === undefined) return true;
  const wanted = [accepted].flat();
  const held = Array.isArray(value) ? value : [value];
  return held.some((item) => typeof item === 'string' && wanted.includes(item));
};

/** Why an "active" answer is still refused, or undefined when Loom accepts it. */
function refusalOf(claims: Record<string, unknown>, options: OAuthIntrospectionOptions, nowMs: number) {
  const toleranceMs = (options.clockToleranceSeconds ?? 5) * 1000;
  if (typeof claims.exp === 'number' && claims.exp * 1000 + toleranceMs <= nowMs) return 'token expired';
  if (typeof claims.nbf === 'number' && claims.nbf * 1000 - toleranceMs > nowMs) return 'token not yet valid';
  if (options.issuer !== undefined && !oneOf(options.issuer, claims.iss)) return 'issuer not accepted';
  if (options.audience !== undefined && !oneOf(options.audience, claims.aud)) return 'audience not accepted';
  return undefined;
}

function scopesOf(claims: Record<string, unknown>, claim = 'scope'): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

class AnswerTooLargeError extends Error {}

async function readCapped(response: Response): Promise<string> {
  const tooLarge = () => new AnswerTooLargeError(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
  return (await readCappedStream(response.body, MAX_ANSWER_BYTES, tooLarge)).toString('utf8');
}

/** One RFC 7662 call; any answer but a JSON object with a boolean `active` is AUTH_UNAVAILABLE. */
async function callEndpoint(
  options: OAuthIntrospectionOptions,
  call: { basic: string; timeoutMs: number; logger: Logger },
  token: string,
): Promise<IntrospectionVerdict> {
  const { basic, timeoutMs, logger } = call;
  let text: string;
  let status: number;
  try {
    const response = await fetch(options.introspectionUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    status = response.status;
    text = await readCapped(response);
  } catch (error) {
    const reason =
      error instanceof AnswerTooLargeError
        ? error.message
        : (error as Error)?.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : 'unreachable';
    logger.warn({ component: 'oauth-introspection', reason }, 'token introspection failed');
    throw authUnavailable(`Token introspection failed: ${reason}`);
  }
  if (status !== 200) {
    logger.warn({ component: 'oauth-introspection', status }, 'token introspection failed');
    throw authUnavailable(`Token introspection failed: the endpoint answered HTTP ${status}`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  if (
    !answer ||
    typeof answer !== 'object' ||
    Array.isArray(answer) ||
    typeof (answer as { active?: unknown }).active !== 'boolean'
  ) {
    logger.warn({ component: 'oauth-introspection' }, 'token introspection answered no RFC 7662 object');
    throw authUnavailable('Token introspection failed: the endpoint sent no RFC 7662 answer');
  }
  const { active, ...claims } = answer as { active: boolean } & Record<string, unknown>;
  return { active, claims: active ? claims : {} };
}

/**
 * Builds the introspection check once, at start-up. Each call turns a token
 * into an identity, throws 401 for an inactive or unacceptable token, and 503
 * AUTH_UNAVAILABLE when the endpoint fails, times out or answers anything but
 * an RFC 7662 JSON object: a token nobody could judge is never let through.
 * Concurrent requests with one token share one call (single flight).
 */
export function createIntrospectionVerifier(
  options: OAuthIntrospectionOptions,
  parts: IntrospectionVerifierParts,
): IntrospectionVerifier {
  validateIntrospectionOptions(options);
  const { cache, logger, outcomes, bffName, now = Date.now } = parts;
  const cacheTtlMs = options.cacheTtlMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  // RFC 6749 2.3.1: client id and secret are form-urlencoded before they are joined.
  const basic = Buffer.from(
    `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
  ).toString('base64');
  const inFlight = new Map<string, Promise<IntrospectionVerdict>>();
  const count = (outcome: string) => outcomes?.inc({ bff: bffName, outcome });

  /** How long a verdict may be kept: never past the token's `exp`. */
  const ttlOf = (verdict: IntrospectionVerdict): number => {
    const exp = verdict.claims.exp;
    return typeof exp === 'number' ? Math.min(cacheTtlMs, exp * 1000 - now()) : cacheTtlMs;
  };

  async function cached(digest: string): Promise<IntrospectionVerdict | undefined> {
    if (!cache || cacheTtlMs === 0) return undefined;
    try {
      return await cache.get(digest);
    } catch (error) {
      // The cache saves calls; without it the endpoint still judges every token.
      logger.warn(
        { component: 'oauth-introspection', err: (error as Error).message },
        'introspection cache unavailable',
      );
      return undefined;
    }
  }

  async function introspect(token: string, digest: string): Promise<IntrospectionVerdict> {
    const verdict = await callEndpoint(options, { basic, timeoutMs, logger }, token);
    const ttlMs = ttlOf(verdict);
    if (cache && cacheTtlMs > 0 && ttlMs > 0)
      await cache
        .set(digest, verdict, ttlMs)
        .catch((error: Error) =>
          logger.warn({ component: 'oauth-introspection', err: error.message }, 'introspection cache unavailable'),
        );
    return verdict;
  }

  return async (token) => {
    if (token.length > MAX_OPAQUE_TOKEN_LENGTH) throw unauthenticated('Invalid token: too long');
    // Keyed by digest: neither the cache nor Redis ever holds a usable token.
    const digest = createHash('sha256').update(token).digest('base64url');
    let verdict = await cached(digest);
    if (verdict) count('cache_hit');
    else {
      let pending = inFlight.get(digest);
      if (!pending) {
        pending = introspect(token, digest).finally(() => inFlight.delete(digest));
        inFlight.set(digest, pending);
      }
      try {
        verdict = await pending;
      } catch (error) {
        count('unavailable');
        throw error;
      }
      count(verdict.active ? 'active' : 'inactive');
    }
    if (!verdict.active) throw unauthenticated('Invalid token: not active');
    const refusal = refusalOf(verdict.claims, options, now());
    if (refusal) throw unauthenticated(`Invalid token: ${refusal}`);
    const { claims } = verdict;
    const plan = claims[options.planClaim ?? 'plan'];
    const subject =
      typeof claims.sub === 'string' ? claims.sub : typeof claims.client_id === 'string' ? claims.client_id : undefined;
    return {
      kind: 'oauth',
      subject,
      scopes: scopesOf(claims, options.scopesClaim),
      ...(typeof plan === 'string' && { plan }),
      claims,
    };
  };
}
