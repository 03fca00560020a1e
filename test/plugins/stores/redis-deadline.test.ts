import { once } from 'node:events';
import type { Cache } from '@envelop/response-cache';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createSilentLogger } from '../../../src/core/logger';
import { createGuardedCache, createRedisResponseCache } from '../../../src/plugins/stores/create-response-cache-store';
import { createRedisHealth } from '../../../src/plugins/stores/redis-health';
import { createRedisRateLimitStore } from '../../../src/plugins/stores/redis-rate-limit-store';
import { RedisTimeoutError } from '../../../src/plugins/stores/with-redis-deadline';
import { findFreePort, startRedisChild, type RedisChild } from '../../fixtures/ratelimit/redis-child';

/** Each store against a redis-server of the test's own, frozen (SIGSTOP) once the client is connected. */
describe('Redis operations have deadlines (a frozen redis-server)', () => {
  let redisServer: RedisChild;
  let redis: Redis;

  beforeAll(async () => {
    redisServer = await startRedisChild(await findFreePort());
    redis = new Redis(redisServer.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    await once(redis, 'ready');
    redisServer.pause();
  });
  afterAll(async () => {
    redisServer?.resume();
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('the rate-limit store rejects a charge after commandTimeoutMs', async () => {
    const store = createRedisRateLimitStore(redis, 50);
    const charge = store.consume([{ key: 'loom:web:rl:user:u1', capacity: 10, windowMs: 1000, cost: 1 }]);
    await expect(charge).rejects.toThrow(new RedisTimeoutError('a rate-limit charge', 50));
  });

  it('the response cache rejects each operation after commandTimeoutMs; guarded, a read is a miss', async () => {
    const cache = createRedisResponseCache(redis, 'loom:web:cache:', 50);
    await expect(Promise.resolve(cache.get('q1'))).rejects.toThrow('Redis did not answer a cache read within 50 ms');
    await expect(Promise.resolve(cache.set('q1', { data: {} }, [], 1000))).rejects.toThrow(
      'Redis did not answer a cache write within 50 ms',
    );
    await expect(Promise.resolve(cache.invalidate([{ typename: 'Item', id: '1' }]))).rejects.toThrow(
      'Redis did not answer a cache invalidation within 50 ms',
    );
    expect(await createGuardedCache(cache, undefined).get('q1')).toBeUndefined();
  });

  it('the readiness probe answers false after readinessTimeoutMs and marks Redis down', async () => {
    const metrics = new Registry();
    const health = createRedisHealth({
      redis,
      bffName: 'web',
      component: 'rate-limit',
      logger: createSilentLogger(),
      metrics,
      readinessTimeoutMs: 50,
    });
    expect(await health.check()).toBe(false);
    expect(health.up).toBe(false);
    expect(await metrics.getSingleMetricAsString('loom_redis_up')).toContain('loom_redis_up{bff="web"} 0');
  });
});

describe('a Redis deadline counts Redis time, not event-loop lag (local Redis on 6379)', () => {
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis('redis://127.0.0.1:6379', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    await once(redis, 'ready');
  });
  afterAll(async () => {
    await redis.del(`loom:test-deadline-${process.pid}:lag`);
    redis.disconnect();
  });

  it('takes a reply that arrived while the process was busy past the deadline', async () => {
    const store = createRedisRateLimitStore(redis, 20);
    const bucket = { key: `loom:test-deadline-${process.pid}:lag`, capacity: 10, windowMs: 60_000, cost: 1 };
    // Loads the script, so the charge below is one round trip.
    await store.consume([bucket]);
    const charge = store.consume([bucket]);
    // A busy process (a slow request, a GC pause): Redis answers at once, the reply waits in the socket.
    const busyUntil = performance.now() + 100;
    while (performance.now() < busyUntil);
    expect((await charge).buckets[0].remaining).toBe(8);
  });
});

describe('the guarded response cache while Redis is down', () => {
  it('drops writes until a read succeeds again, and always sends invalidations', async () => {
    const sent: string[] = [];
    let reachable = false;
    const inner: Cache = {
      get: async (id) => {
        if (!reachable) throw new RedisTimeoutError('a cache read', 100);
        sent.push(`get ${id}`);
        return undefined;
      },
      set: (id) => void sent.push(`set ${id}`),
      invalidate: () => void sent.push('invalidate'),
    };
    const health = createRedisHealth({
      redis: { ping: async () => 'PONG' },
      bffName: 'web',
      component: 'response-cache',
      logger: createSilentLogger(),
      metrics: new Registry(),
    });
    const cache = createGuardedCache(inner, health);

    expect(await cache.get('q1')).toBeUndefined();
    expect(health.up).toBe(false);
    await cache.set('q1', { data: {} }, [], 1000);
    await cache.invalidate([{ typename: 'Item', id: '1' }]);
    expect(sent).toEqual(['invalidate']);

    reachable = true;
    await cache.get('q1');
    await cache.set('q1', { data: {} }, [], 1000);
    expect(sent).toEqual(['invalidate', 'get q1', 'set q1']);
  });
});
