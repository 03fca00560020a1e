import type { RedisClient } from '../../../core/redis-client';
import { withRedisDeadline } from '../../stores/with-redis-deadline';

/** What an introspection answer says of a token, as Loom keeps it. Never the token itself. */
export interface IntrospectionVerdict {
  active: boolean;
  /** The answer's members (sub, scope, client_id, exp, ...), for scopes, plan and forwarded claims. */
  claims: Record<string, unknown>;
}

/** Introspection answers by token digest: in memory per instance, or in Redis shared by every instance. */
export interface IntrospectionCache {
  get(tokenDigest: string): Promise<IntrospectionVerdict | undefined>;
  /** Keeps the verdict for `ttlMs` (already bounded by the token's `exp` and `cacheTtlMs`). */
  set(tokenDigest: string, verdict: IntrospectionVerdict, ttlMs: number): Promise<void>;
}

/**
 * In-process cache, bounded: past `maxEntries` the oldest entry goes first
 * (a Map iterates in insertion order), so random tokens sent by an attacker
 * cannot grow it without end.
 */
export function createMemoryIntrospectionCache(maxEntries = 10_000, now: () => number = Date.now): IntrospectionCache {
  const entries = new Map<string, { verdict: IntrospectionVerdict; expiresAtMs: number }>();
  return {
    async get(tokenDigest) {
      const entry = entries.get(tokenDigest);
      if (!entry) return undefined;
      if (entry.expiresAtMs <= now()) {
        entries.delete(tokenDigest);
        return undefined;
      }
      return entry.verdict;
    },
    async set(tokenDigest, verdict, ttlMs) {
      entries.delete(tokenDigest);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(tokenDigest, { verdict, expiresAtMs: now() + ttlMs });
    },
  };
}

/** Shared cache: one key per token digest with a PX expiry, so Redis forgets it when the instance would. */
export function createRedisIntrospectionCache(
  redis: RedisClient,
  keyPrefix: string,
  commandTimeoutMs: number,
): IntrospectionCache {
  const keyOf = (tokenDigest: string) => `${keyPrefix}${tokenDigest}`;
  return {
    async get(tokenDigest) {
      const raw = await withRedisDeadline('an introspection cache read', commandTimeoutMs, () =>
        redis.get(keyOf(tokenDigest)),
      );
      if (raw === null) return undefined;
      const parsed = JSON.parse(raw) as IntrospectionVerdict;
      return typeof parsed?.active === 'boolean' && parsed.claims && typeof parsed.claims === 'object'
        ? parsed
        : undefined;
    },
    async set(tokenDigest, verdict, ttlMs) {
      await withRedisDeadline('an introspection cache write', commandTimeoutMs, () =>
        redis.set(keyOf(tokenDigest), JSON.stringify(verdict), 'PX', Math.max(1, Math.floor(ttlMs))),
      );
    },
  };
}
