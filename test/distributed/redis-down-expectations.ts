import type { RunningBackend } from '../../demo/http-backend';
import type { TestGateway } from '../helpers/test-gateway';

/** 3 cost units against a budget of 20 per user (test/fixtures/ratelimit). */
export const GET_ITEM = { query: '{ getItem(id: "1") { id name } }' };

export async function readyz(gateway: TestGateway) {
  const response = await gateway.fetch('/readyz');
  return { status: response.status, body: (await response.json()) as { checks: Array<{ name: string; ok: boolean }> } };
}

/** The `loom_redis_up` gauge of one BFF: '1', '0', or undefined before its first probe. */
export async function redisUp(gateway: TestGateway, bff: string) {
  const text = await gateway.gateway.metrics.getSingleMetricAsString('loom_redis_up');
  return new RegExp(`loom_redis_up\\{bff="${bff}"\\} (\\d)`).exec(text)?.[1];
}

export interface RedisDownCase {
  gateway: TestGateway;
  backend: RunningBackend;
  /** BFFs: rate limited with failMode open, with failMode closed, and response-cached. */
  open: string;
  closed: string;
  cached: string;
  user: Record<string, string>;
}

/**
 * What every BFF does while its Redis (one server, or the cluster's slot) is
 * gone: fail-open serves unmetered, fail-closed refuses 503
 * RATE_LIMIT_UNAVAILABLE without an upstream call, the cache misses and
 * serves, /readyz and loom_redis_up report it. Expects a reset call count.
 */
export async function expectRedisDownBehaviour({ gateway, backend, open, closed, cached, user }: RedisDownCase) {
  const failOpen = await gateway.query(open, GET_ITEM, user);
  expect(failOpen.status).toBe(200);
  expect(failOpen.body).toEqual({ data: { getItem: { id: '1', name: 'Item 1' } } });
  expect(failOpen.headers.get('ratelimit-limit')).toBeNull();
  expect(backend.calls.count('getItem')).toBe(1);

  const failClosed = await gateway.query(closed, GET_ITEM, user);
  expect(failClosed.status).toBe(503);
  expect(failClosed.headers.get('retry-after')).toBe('1');
  expect(failClosed.body).toEqual({
    errors: [
      { message: 'Rate limiting is unavailable; request refused', extensions: { code: 'RATE_LIMIT_UNAVAILABLE' } },
    ],
  });
  expect(backend.calls.count('getItem')).toBe(1);

  const uncached = await gateway.query(cached, GET_ITEM);
  expect(uncached.status).toBe(200);
  expect(uncached.body.errors).toBeUndefined();
  expect(uncached.headers.get('x-loom-cache')).toBe('MISS');
  expect(backend.calls.count('getItem')).toBe(2);

  const notReady = await readyz(gateway);
  expect(notReady.status).toBe(503);
  expect(notReady.body.checks).toEqual(
    expect.arrayContaining([
      { name: `${open}:rate-limit-redis`, ok: false },
      { name: `${closed}:rate-limit-redis`, ok: false },
      { name: `${cached}:response-cache-redis`, ok: false },
    ]),
  );
  expect(await redisUp(gateway, open)).toBe('0');
  expect(await redisUp(gateway, closed)).toBe('0');
  expect(await redisUp(gateway, cached)).toBe('0');
}
