import type { Cache, CacheEntityRecord } from '@envelop/response-cache';
import type { RedisClient } from '../../core/redis-client';
import { createRedisResponseCache, responseCacheKeyPrefix } from '../stores/create-response-cache-store';

/** An entity to drop from the cache: `{ typename: 'Product', id: 'p1' }`, or a whole type without `id`. */
export type CachedEntity = CacheEntityRecord;

/**
 * The hook for upstream events ("product p1 changed"): create one in the BFF
 * file, pass it to `useResponseCache({ invalidator })` of one or more BFFs, and
 * call `invalidate` from wherever the event arrives. With Redis the entries of
 * every instance go at once.
 */
export interface ResponseCacheInvalidator {
  invalidate(entities: readonly CachedEntity[]): Promise<void>;
  /** Called by the cache policy of each BFF that uses this invalidator. */
  attach(cache: Cache): void;
}

export function createResponseCacheInvalidator(): ResponseCacheInvalidator {
  const caches: Cache[] = [];
  return {
    attach(cache) {
      caches.push(cache);
    },
    async invalidate(entities) {
      // Errors reach the caller: an event handler should know its invalidation failed.
      await Promise.all(caches.map((cache) => cache.invalidate(entities)));
    },
  };
}

export interface RedisInvalidationTarget {
  redis: RedisClient;
  /** The BFF's Redis key prefix (`PolicyContext.redisKeyPrefix`, `loom:<bff>:` in the gateway). */
  bffKeyPrefix: string;
  /** Deadline of the invalidation, in ms; past it the promise rejects. @default 100 */
  commandTimeoutMs?: number;
}

/** Invalidation from any process that can reach the gateway's Redis (a webhook worker, a CLI). */
export function invalidateResponseCache(
  { redis, bffKeyPrefix, commandTimeoutMs }: RedisInvalidationTarget,
  entities: readonly CachedEntity[],
): Promise<void> {
  return Promise.resolve(
    createRedisResponseCache(redis, responseCacheKeyPrefix(bffKeyPrefix), commandTimeoutMs).invalidate(entities),
  );
}
