import type { RedisClient } from '../../../core/redis-client';
import { withRedisDeadline } from '../../stores/with-redis-deadline';

/** Nonces already seen, for as long as a signature with them could still be accepted. */
export interface NonceStore {
  /** True when the nonce is new (and now remembered for `ttlMs`), false when it was seen before. */
  remember(key: string, ttlMs: number): Promise<boolean>;
}

/** Per instance: a replay sent to another instance is not caught. Use Redis with more than one instance. */
export function createMemoryNonceStore(now: () => number = Date.now): NonceStore {
  const seen = new Map<string, number>();
  return {
    async remember(key, ttlMs) {
      const time = now();
      // Expired entries go as new ones come: the map holds only the nonces of the skew window.
      for (const [old, expiresAt] of seen) {
        if (expiresAt > time) break;
        seen.delete(old);
      }
      const expiresAt = seen.get(key);
      if (expiresAt !== undefined && expiresAt > time) return false;
      seen.set(key, time + ttlMs);
      return true;
    },
  };
}

/** Shared by every instance: SET NX PX is one atomic step, so two instances cannot both accept one nonce. */
export function createRedisNonceStore(redis: RedisClient, keyPrefix: string, commandTimeoutMs: number): NonceStore {
  return {
    async remember(key, ttlMs) {
      const answer = await withRedisDeadline('a nonce check', commandTimeoutMs, () =>
        redis.set(`${keyPrefix}${key}`, '1', 'PX', ttlMs, 'NX'),
      );
      return answer === 'OK';
    },
  };
}
