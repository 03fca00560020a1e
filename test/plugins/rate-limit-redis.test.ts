import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createMemoryRateLimitStore } from '../../src/plugins/stores/memory-rate-limit-store';
import type { BucketCharge } from '../../src/plugins/stores/rate-limit-store';
import { createRedisRateLimitStore } from '../../src/plugins/stores/redis-rate-limit-store';
import { useRateLimit } from '../../src/plugins/rate-limit/use-rate-limit';
import { createTinyApp } from '../fixtures/ratelimit/tiny-app';
import {
  findFreePort,
  startRedisChild,
  SUITE_REDIS_COMMAND_TIMEOUT_MS,
  type RedisChild,
} from '../fixtures/ratelimit/redis-child';

const HOUR = 3_600_000;

describe('Redis rate-limit store (token buckets in Lua)', () => {
  const prefix = `test:rl:${randomUUID()}:`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(keys);
    redis.disconnect();
  });

  const charge = (key: string, capacity: number, cost: number, windowMs = HOUR): BucketCharge => ({
    key: `${prefix}${key}`,
    capacity,
    windowMs,
    cost,
  });

  it('answers like the in-memory store for the same sequence', async () => {
    const memory = createMemoryRateLimitStore({ now: () => 0 });
    const store = createRedisRateLimitStore(redis, SUITE_REDIS_COMMAND_TIMEOUT_MS);
    const sequence = [
      [charge('seq-a', 10, 4), charge('seq-b', 5, 1)],
      [charge('seq-a', 10, 4), charge('seq-b', 5, 3)],
      [charge('seq-a', 10, 4)],
      [charge('seq-a', 10, 2), charge('seq-b', 5, 1)],
      [charge('seq-b', 5, 0)],
    ];
    for (const charges of sequence) {
      const fromRedis = await store.consume(charges);
      const fromMemory = await memory.consume(charges);
      expect(fromRedis.allowed).toBe(fromMemory.allowed);
      expect(fromRedis.buckets.map((bucket) => bucket.remaining)).toEqual(
        fromMemory.buckets.map((bucket) => bucket.remaining),
      );
    }
    expect((await store.consume([charge('seq-b', 5, 1)])).buckets[0].remaining).toBe(0);
  });

  it('charges every bucket or none', async () => {
    const store = createRedisRateLimitStore(redis, SUITE_REDIS_COMMAND_TIMEOUT_MS);
    expect((await store.consume([charge('all-a', 10, 6), charge('all-b', 7, 6)])).allowed).toBe(true);
    const refused = await store.consume([charge('all-a', 10, 3), charge('all-b', 7, 3)]);
    expect(refused.allowed).toBe(false);
    expect(refused.buckets.map((bucket) => bucket.remaining)).toEqual([4, 1]);
    expect(refused.buckets[1].retryAfterMs).toBeGreaterThan(0);
    expect(refused.buckets[0].retryAfterMs).toBe(0);
    // all-a was not charged by the refused request.
    expect((await store.consume([charge('all-a', 10, 4)])).buckets[0].remaining).toBe(0);
  });

  it('refills with elapsed Redis time', async () => {
    const store = createRedisRateLimitStore(redis, SUITE_REDIS_COMMAND_TIMEOUT_MS);
    await store.consume([charge('refill', 60, 60, 60_000)]);
    const [seconds, micros] = await redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    // Pretend the bucket emptied 30 s ago: half of it is back.
    await redis.hset(`${prefix}refill`, 'tokens', '0', 'at', String(now - 30_000));
    const result = await store.consume([charge('refill', 60, 10, 60_000)]);
    expect(result.allowed).toBe(true);
    expect(result.buckets[0].remaining).toBe(20);
  });

  it('is exact for concurrent requests from many connections', async () => {
    const connections = Array.from({ length: 4 }, () => new Redis('redis://127.0.0.1:6379'));
    try {
      const stores = connections.map((connection) =>
        createRedisRateLimitStore(connection, SUITE_REDIS_COMMAND_TIMEOUT_MS),
      );
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, index) => stores[index % 4].consume([charge('race', 25, 2)])),
      );
      expect(results.filter((result) => result.allowed)).toHaveLength(12);
    } finally {
      for (const connection of connections) connection.disconnect();
    }
  });

  it('limits a field per user across two apps sharing Redis', async () => {
    const rules = [{ by: 'user' as const, field: 'Mutation.createProduct', budget: 3, windowMs: HOUR }];
    const keyPrefix = `${prefix}field:`;
    const first = createTinyApp({ policies: [useRateLimit({ rules })], redis, redisKeyPrefix: keyPrefix });
    const second = createTinyApp({
      policies: [useRateLimit({ rules })],
      redis,
      redisKeyPrefix: keyPrefix,
      metrics: first.metrics,
    });
    const erin = { 'x-test-user': 'erin' };
    const mutation = 'mutation { createProduct(name: "x") { id } }';
    const statuses = [];
    for (const app of [first, second, first, second]) statuses.push((await app.post(mutation, erin)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((first.calls.get('createProduct') ?? 0) + (second.calls.get('createProduct') ?? 0)).toBe(3);
    expect(await first.readiness.get('rate-limit-redis')?.()).toBe(true);
  });
});

describe('Redis rate-limit store when Redis is gone', () => {
  let child: RedisChild | undefined;
  let connection: Redis;

  beforeAll(async () => {
    child = await startRedisChild(await findFreePort());
    // A short disconnectTimeout: ioredis otherwise keeps a 2 s timer for the stream that Redis already closed.
    connection = new Redis(child.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, disconnectTimeout: 50 });
    await new Promise<void>((resolve) => connection.once('ready', () => resolve()));
    connection.on('error', () => undefined);
  });
  afterAll(async () => {
    connection?.disconnect();
    await child?.stop();
  });

  it('reloads its script after Redis forgot it, then rejects while Redis is down', async () => {
    const store = createRedisRateLimitStore(connection, SUITE_REDIS_COMMAND_TIMEOUT_MS);
    const bucket = { key: 'gone:a', capacity: 5, windowMs: HOUR, cost: 1 };
    expect((await store.consume([bucket])).buckets[0].remaining).toBe(4);
    await connection.script('FLUSH');
    expect((await store.consume([bucket])).buckets[0].remaining).toBe(3);

    const app = createTinyApp({
      policies: [useRateLimit({ rules: [{ by: 'global', budget: 10 }], failMode: 'closed' })],
      redis: connection,
    });
    expect((await app.post('{ __typename }')).status).toBe(200);
    const closed = new Promise<void>((resolve) => connection.once('close', () => resolve()));
    await child?.stop();
    child = undefined;
    await closed;
    await expect(store.consume([bucket])).rejects.toThrow();
    const refused = await app.post('{ __typename }');
    expect(refused.status).toBe(503);
    expect(refused.body.errors?.[0].extensions?.code).toBe('RATE_LIMIT_UNAVAILABLE');
    expect(await app.readiness.get('rate-limit-redis')?.()).toBe(false);
    expect(await app.metrics.getSingleMetricAsString('loom_redis_up')).toContain('loom_redis_up{bff="web"} 0');
  });
});
