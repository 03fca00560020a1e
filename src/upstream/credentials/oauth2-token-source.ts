import { createHash } from 'node:crypto';
import type { RedisClient } from '../../core/redis-client';
import type { Logger } from '../../core/logger';
import type { OAuth2ClientCredentialsOptions } from './upstream-credentials-options';

/** A token Loom holds for a source. */
export interface HeldToken {
  accessToken: string;
  expiresAtMs: number;
}

export interface TokenSource {
  /** A token that is not within `refreshBeforeExpiryMs` of expiring: cached, else fetched (one fetch at a time). */
  token(): Promise<string>;
  /** The upstream refused `token` (401): forget it, so the next call fetches a fresh one. */
  invalidate(token: string): Promise<void>;
}

export interface TokenSourceParts {
  source: string;
  clientSecret: string;
  logger: Logger;
  /** Shares tokens between instances: one fetch serves them all until it nears expiry. */
  redis?: RedisClient;
  redisKeyPrefix?: string;
  now?: () => number;
}

/** A token endpoint that fails, answers garbage or refuses Loom. The message names the source and the HTTP status only. */
export class TokenFetchError extends Error {
  constructor(readonly reason: string) {
    super(`could not obtain an OAuth2 token: ${reason}`);
    this.name = 'TokenFetchError';
  }
}

/** A frozen Redis must not hold every upstream call: past this, the shared token counts as absent. */
const REDIS_DEADLINE_MS = 500;

function withDeadline<T>(run: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis did not answer within ${REDIS_DEADLINE_MS} ms`)),
      REDIS_DEADLINE_MS,
    );
    timer.unref();
  });
  return Promise.race([run, expired]).finally(() => clearTimeout(timer));
}

/** Lifetime assumed when the token endpoint sends no `expires_in`. */
const DEFAULT_EXPIRES_IN_SECONDS = 60;

async function fetchToken(
  options: OAuth2ClientCredentialsOptions,
  clientSecret: string,
  now: number,
): Promise<HeldToken> {
  const basic = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(clientSecret)}`).toString(
    'base64',
  );
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (options.scopes?.length) form.set('scope', options.scopes.join(' '));
  if (options.audience) form.set('audience', options.audience);
  let response: Response;
  let text: string;
  try {
    response = await fetch(options.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    throw new TokenFetchError(
      (error as Error)?.name === 'TimeoutError'
        ? 'the token endpoint did not answer in time'
        : 'the token endpoint is unreachable',
    );
  }
  if (response.status !== 200) throw new TokenFetchError(`the token endpoint answered HTTP ${response.status}`);
  let answer: Record<string, unknown> | undefined;
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    answer = undefined;
  }
  const accessToken = answer?.access_token;
  const tokenType = answer?.token_type;
  const expiresIn = answer?.expires_in ?? DEFAULT_EXPIRES_IN_SECONDS;
  if (
    typeof accessToken !== 'string' ||
    !/^[A-Za-z0-9\-._~+/]+=*$/.test(accessToken) ||
    (typeof tokenType === 'string' && tokenType.toLowerCase() !== 'bearer') ||
    typeof expiresIn !== 'number' ||
    !(expiresIn > 0)
  )
    throw new TokenFetchError('the token endpoint sent no usable bearer token');
  return { accessToken, expiresAtMs: now + expiresIn * 1000 };
}

/**
 * OAuth2 client credentials for one source: the token is fetched on first
 * use, kept (in Redis too when the gateway has one, keyed by token URL,
 * client and scopes) and fetched again `refreshBeforeExpiryMs` before it
 * expires. Concurrent calls share one fetch. When a refresh fails while the
 * held token is still valid, that token keeps serving (logged); once it has
 * expired, calls fail with the fetch's reason.
 */
export function createOAuth2TokenSource(options: OAuth2ClientCredentialsOptions, parts: TokenSourceParts): TokenSource {
  const { source, clientSecret, logger, redis, now = Date.now } = parts;
  const refreshBeforeMs = options.refreshBeforeExpiryMs ?? 30_000;
  const identity = createHash('sha256')
    .update(JSON.stringify([options.tokenUrl, options.clientId, options.scopes ?? [], options.audience ?? '']))
    .digest('base64url');
  const redisKey = `${parts.redisKeyPrefix ?? 'loom:upstream:'}oauth2:${identity}`;
  let held: HeldToken | undefined;
  let inFlight: Promise<HeldToken> | undefined;
  const fresh = (token: HeldToken | undefined): token is HeldToken =>
    token !== undefined && now() < token.expiresAtMs - refreshBeforeMs;

  async function readShared(): Promise<HeldToken | undefined> {
    if (!redis) return undefined;
    try {
      const raw = await withDeadline(redis.get(redisKey));
      const parsed = raw ? (JSON.parse(raw) as HeldToken) : undefined;
      return typeof parsed?.accessToken === 'string' && typeof parsed.expiresAtMs === 'number' ? parsed : undefined;
    } catch (error) {
      logger.warn({ source, err: (error as Error).message }, 'upstream token cache unavailable');
      return undefined;
    }
  }

  async function writeShared(token: HeldToken): Promise<void> {
    const ttlMs = Math.floor(token.expiresAtMs - refreshBeforeMs - now());
    if (!redis || ttlMs <= 0) return;
    await withDeadline(redis.set(redisKey, JSON.stringify(token), 'PX', ttlMs)).catch((error: Error) => {
      logger.warn({ source, err: error.message }, 'upstream token cache unavailable');
    });
  }

  async function refresh(): Promise<HeldToken> {
    const shared = await readShared();
    if (fresh(shared)) return shared;
    try {
      const token = await fetchToken(options, clientSecret, now());
      await writeShared(token);
      logger.info({ source, expiresInMs: token.expiresAtMs - now() }, 'upstream OAuth2 token obtained');
      return token;
    } catch (error) {
      const stillValid = held && now() < held.expiresAtMs;
      logger.warn(
        { source, reason: (error as Error).message, servingHeldToken: Boolean(stillValid) },
        'upstream OAuth2 token refresh failed',
      );
      if (stillValid) return held as HeldToken;
      throw error;
    }
  }

  return {
    async token() {
      if (fresh(held)) return held.accessToken;
      inFlight ??= refresh().finally(() => (inFlight = undefined));
      held = await inFlight;
      return held.accessToken;
    },
    async invalidate(token) {
      if (held?.accessToken !== token) return;
      held = undefined;
      if (!redis) return;
      const shared = await readShared();
      if (shared?.accessToken === token) await withDeadline(redis.del(redisKey)).catch(() => undefined);
    },
  };
}
