import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
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
  /**
   * How long the refresh lock an instance takes in Redis lives, in ms: past
   * it, an instance that died mid-fetch no longer blocks the others.
   * @default the token request's deadline (`timeoutMs`) plus 2000
   */
  refreshLockMs?: number;
  /** How often an instance waiting for another's token looks in Redis, in ms. @default 50 */
  refreshPollMs?: number;
}

/** Where a token source keeps its token and its refresh lock in Redis. */
export function oauth2RedisKeys(
  options: Pick<OAuth2ClientCredentialsOptions, 'tokenUrl' | 'clientId' | 'scopes' | 'audience'>,
  redisKeyPrefix = 'loom:upstream:',
): { token: string; lock: string } {
  const identity = createHash('sha256')
    .update(JSON.stringify([options.tokenUrl, options.clientId, options.scopes ?? [], options.audience ?? '']))
    .digest('base64url');
  const token = `${redisKeyPrefix}oauth2:${identity}`;
  return { token, lock: `${token}:lock` };
}

/** Deletes the lock only while it is still ours: past its TTL another instance may hold it. */
const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

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
 *
 * With Redis, instances also share one fetch: a refresh takes a lock
 * (`SET NX PX`) and only its holder asks the token endpoint; the others poll
 * Redis for the token it writes (see awaitTurn).
 */
export function createOAuth2TokenSource(options: OAuth2ClientCredentialsOptions, parts: TokenSourceParts): TokenSource {
  const { source, clientSecret, logger, redis, now = Date.now } = parts;
  const refreshBeforeMs = options.refreshBeforeExpiryMs ?? 30_000;
  const keys = oauth2RedisKeys(options, parts.redisKeyPrefix);
  const redisKey = keys.token;
  const lockMs = parts.refreshLockMs ?? (options.timeoutMs ?? 5_000) + 2_000;
  const pollMs = parts.refreshPollMs ?? 50;
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

  /** SET NX PX: true when this instance now holds the refresh lock; also true when Redis fails (each fetches alone). */
  async function takeLock(value: string): Promise<boolean> {
    try {
      return (await withDeadline(redis!.set(keys.lock, value, 'PX', lockMs, 'NX'))) === 'OK';
    } catch (error) {
      logger.warn({ source, err: (error as Error).message }, 'upstream token lock unavailable');
      return true;
    }
  }

  async function releaseLock(value: string): Promise<void> {
    await withDeadline(Promise.resolve(redis!.eval(RELEASE_LOCK, 1, keys.lock, value))).catch(() => undefined);
  }

  /**
   * Across instances, one token request at a time: whoever takes the lock
   * fetches, the others watch Redis for its token. A holder that dies leaves
   * its lock to expire (`refreshLockMs`), and the next taker fetches.
   * Returns a token another instance fetched, or undefined once this one
   * holds the lock (or may fetch anyway: Redis failing, or waited too long).
   */
  async function awaitTurn(lockValue: string): Promise<HeldToken | undefined> {
    // Bounded: a lock can be re-taken by others for ever; past two lock lives this instance fetches itself.
    const giveUpAt = Date.now() + 2 * lockMs;
    while (!(await takeLock(lockValue))) {
      if (Date.now() > giveUpAt) {
        logger.warn({ source }, 'upstream token lock held too long; fetching without it');
        return undefined;
      }
      await sleep(pollMs);
      const shared = await readShared();
      if (fresh(shared)) return shared;
    }
    // The holder before us may have written the token just before letting go.
    const shared = await readShared();
    if (fresh(shared)) {
      await releaseLock(lockValue);
      return shared;
    }
    return undefined;
  }

  async function refresh(): Promise<HeldToken> {
    const shared = await readShared();
    if (fresh(shared)) return shared;
    const lockValue = randomUUID();
    try {
      if (redis) {
        const fromAnother = await awaitTurn(lockValue);
        if (fromAnother) return fromAnother;
      }
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
    } finally {
      if (redis) await releaseLock(lockValue);
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
