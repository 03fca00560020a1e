import type { Cache, CacheEntityRecord } from '@envelop/response-cache';
import { createInMemoryCache } from '@envelop/response-cache';
import { createRedisCache } from '@envelop/response-cache-redis';
import type { Redis } from 'ioredis';
import type { RedisHealth } from './redis-health';

/** Where a BFF's cached responses live in Redis: under its own key prefix. */
export const responseCacheKeyPrefix = (bffKeyPrefix: string) => `${bffKeyPrefix}cache:`;

/**
 * @envelop/response-cache-redis with every key under `keyPrefix`: responses
 * (`<prefix>r:<hash>`), the entity sets that point at them (`<prefix>t:Product`,
 * `<prefix>t:Product:p1`). The library writes type names as bare keys, so
 * prefixing the type name is what keeps BFFs, gateways and tests apart.
 * Every instance on the same Redis and prefix shares entries and invalidations.
 */
export function createRedisResponseCache(redis: Redis, keyPrefix: string): Cache {
  const inner = createRedisCache({ redis, buildRedisOperationResultCacheKey: (responseId) => `${responseId}:entities` });
  const entityKey = ({ typename, id }: CacheEntityRecord): CacheEntityRecord => ({ typename: `${keyPrefix}t:${typename}`, id });
  return {
    get: (id) => inner.get(`${keyPrefix}r:${id}`),
    set: (id, data, entities, ttl) => inner.set(`${keyPrefix}r:${id}`, data, [...entities].map(entityKey), ttl),
    invalidate: (entities) => inner.invalidate([...entities].map(entityKey)),
  };
}

/** The in-memory store of @envelop/response-cache (an LRU per process). */
export function createMemoryResponseCache(maxEntries: number): Cache {
  return createInMemoryCache({ max: maxEntries });
}

/**
 * A cache that never fails a request: a read error is a miss, a write or
 * invalidation error is logged through `health`. The plugin does not await
 * writes, so an unguarded Redis error would be an unhandled rejection.
 */
export function createGuardedCache(inner: Cache, health: RedisHealth | undefined): Cache {
  const guard = async <T>(action: () => T | PromiseLike<T>, fallback: T): Promise<T> => {
    try {
      const value = await action();
      health?.markUp();
      return value;
    } catch (error) {
      health?.markDown(error);
      return fallback;
    }
  };
  return {
    get: (id) => guard(() => inner.get(id), undefined),
    set: (id, data, entities, ttl) => guard(() => inner.set(id, data, entities, ttl), undefined),
    invalidate: (entities) => guard(() => inner.invalidate(entities), undefined),
  };
}
