import type { Cache, CacheEntityRecord } from '@envelop/response-cache';
import { createInMemoryCache } from '@envelop/response-cache';
import { createRedisCache } from '@envelop/response-cache-redis';
import type { Redis } from 'ioredis';
import { hashTaggedPrefix, isRedisCluster, type RedisClient } from '../../core/redis-client';
import { isPromiseLike } from '../../core/is-promise-like';
import type { RedisHealth } from './redis-health';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS, withRedisDeadline } from './with-redis-deadline';

/**
 * Where a BFF's cached responses live in Redis: under its own key prefix, with
 * one hash tag (`loom:web:cache:{loom:web:cache}:`). On a Redis Cluster every key of
 * one BFF's cache then sits in one slot, so the library's multi-key writes
 * (a pipeline of SET and SADDs) and invalidations (one DEL of many keys) stay
 * legal. The price: one BFF's cache lives on one master (BFFs spread over the
 * masters).
 */
export const responseCacheKeyPrefix = (bffKeyPrefix: string) => hashTaggedPrefix(`${bffKeyPrefix}cache:`);

/** KEYS on the node that holds `slotKey`'s slot: in a script keyed by it, which the cluster routes there. */
const KEYS_OF_SLOT_SCRIPT = "return redis.call('KEYS', ARGV[1])";

/**
 * What @envelop/response-cache-redis calls, cluster-safe. Its one keyless
 * command, KEYS (finding `Product:*` to drop a whole type), would reach a
 * random node of a cluster; here it runs on the node of the cache's slot.
 */
function cacheStore(redis: RedisClient, keyPrefix: string): Redis {
  if (!isRedisCluster(redis)) return redis;
  const store = {
    get: (key: string) => redis.get(key),
    smembers: (key: string) => redis.smembers(key),
    del: (keys: string[]) => redis.del(keys),
    pipeline: () => redis.pipeline(),
    keys: async (pattern: string) => (await redis.eval(KEYS_OF_SLOT_SCRIPT, 1, keyPrefix, pattern)) as string[],
  };
  // The library types its parameter as a whole Redis but uses only these five commands.
  return store as unknown as Redis;
}

/**
 * @envelop/response-cache-redis with every key under `keyPrefix`: responses
 * (`<prefix>r:<hash>`), the entity sets that point at them (`<prefix>t:Product`,
 * `<prefix>t:Product:p1`). The library writes type names as bare keys, so
 * prefixing the type name is what keeps BFFs, gateways and tests apart.
 * Every instance on the same Redis and prefix shares entries and invalidations.
 */
export function createRedisResponseCache(
  redis: RedisClient,
  keyPrefix: string,
  commandTimeoutMs = DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
): Cache {
  const inner = createRedisCache({
    redis: cacheStore(redis, keyPrefix),
    buildRedisOperationResultCacheKey: (responseId) => `${responseId}:entities`,
  });
  const entityKey = ({ typename, id }: CacheEntityRecord): CacheEntityRecord => ({
    typename: `${keyPrefix}t:${typename}`,
    id,
  });
  // Each operation (its GET, or its pipeline of writes) has one deadline: a frozen Redis must not hold the request.
  const bounded = <T>(operation: string, run: () => T | PromiseLike<T>) =>
    withRedisDeadline(operation, commandTimeoutMs, async () => run());
  return {
    get: (id) => bounded('a cache read', () => inner.get(`${keyPrefix}r:${id}`)),
    set: (id, data, entities, ttl) =>
      bounded('a cache write', () => inner.set(`${keyPrefix}r:${id}`, data, [...entities].map(entityKey), ttl)),
    invalidate: (entities) => bounded('a cache invalidation', () => inner.invalidate([...entities].map(entityKey))),
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
 * While Redis is down, writes are dropped rather than sent: a frozen Redis
 * would otherwise collect every response body in its socket until it thaws.
 * The next read that succeeds marks it up and writes resume. Invalidations
 * are always sent: dropping one would leave a stale entry behind.
 */
export function createGuardedCache(inner: Cache, health: RedisHealth | undefined): Cache {
  // A store that answers at once (the in-memory one) is answered at once: no promise per cache read.
  const guard = <T>(action: () => T | PromiseLike<T>, fallback: T): T | Promise<T> => {
    let value: T | PromiseLike<T>;
    try {
      value = action();
    } catch (error) {
      health?.markDown(error);
      return fallback;
    }
    if (!isPromiseLike(value)) {
      health?.markUp();
      return value as T;
    }
    return Promise.resolve(value).then(
      (settled) => {
        health?.markUp();
        return settled;
      },
      (error: unknown) => {
        health?.markDown(error);
        return fallback;
      },
    );
  };
  return {
    get: (id) => guard(() => inner.get(id), undefined),
    set: (id, data, entities, ttl) =>
      health && !health.up ? undefined : guard(() => inner.set(id, data, entities, ttl), undefined),
    invalidate: (entities) => guard(() => inner.invalidate(entities), undefined),
  };
}
