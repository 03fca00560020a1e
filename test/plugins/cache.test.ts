import { createInMemoryCache, type Cache } from '@envelop/response-cache';
import { Registry } from 'prom-client';
import { useResponseCache, type ResponseCacheOptions } from '../../src/plugins/cache/use-response-cache';
import { createResponseCacheInvalidator } from '../../src/plugins/cache/response-cache-invalidator';
import { useRateLimit } from '../../src/plugins/rate-limit/use-rate-limit';
import { createTinyApp } from '../fixtures/ratelimit/tiny-app';

const PRODUCT_P1 = '{ product(id: "p1") { id name } }';
const PRODUCT_P2 = '{ product(id: "p2") { id name } }';
const ME = '{ me { id plan } }';
const alice = { 'x-test-user': 'alice', 'x-test-plan': 'pro' };
const bob = { 'x-test-user': 'bob', 'x-test-plan': 'free' };

const cacheApp = (options: ResponseCacheOptions = {}, metrics = new Registry()) =>
  createTinyApp({ policies: [useResponseCache(options)], metrics });

/** The in-memory cache, recording the TTL of every write. */
function ttlRecordingCache(ttls: number[]): Cache {
  const inner = createInMemoryCache();
  return {
    get: inner.get,
    invalidate: inner.invalidate,
    set: (id, data, entities, ttl) => (ttls.push(ttl), inner.set(id, data, entities, ttl)),
  };
}

describe('useResponseCache (in memory)', () => {
  it('answers the second identical query from the cache: MISS then HIT, one resolver call', async () => {
    const metrics = new Registry();
    const app = cacheApp({}, metrics);
    const miss = await app.post(PRODUCT_P1);
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-loom-cache')).toBe('MISS');
    expect(miss.body).toEqual({ data: { product: { id: 'p1', name: 'Lamp' } } });
    const hit = await app.post(PRODUCT_P1);
    expect(hit.headers.get('x-loom-cache')).toBe('HIT');
    expect(hit.body).toEqual(miss.body);
    expect(app.calls.get('product')).toBe(1);
    // Other variables or documents are other entries.
    expect((await app.post(PRODUCT_P2)).headers.get('x-loom-cache')).toBe('MISS');
    expect(await metrics.getSingleMetricAsString('loom_cache_hits_total')).toContain(
      'loom_cache_hits_total{bff="web"} 1',
    );
    expect(await metrics.getSingleMetricAsString('loom_cache_misses_total')).toContain(
      'loom_cache_misses_total{bff="web"} 2',
    );
  });

  it('never caches a result with errors', async () => {
    const app = cacheApp();
    const first = await app.post('{ broken { id } product(id: "p1") { id } }');
    expect(first.body.errors?.[0].message).toBe('boom');
    expect(first.headers.get('x-loom-cache')).toBe('MISS');
    const second = await app.post('{ broken { id } product(id: "p1") { id } }');
    expect(second.headers.get('x-loom-cache')).toBe('MISS');
    expect(app.calls.get('broken')).toBe(2);
  });

  it('drops the entries holding an entity a mutation returns, and only those', async () => {
    const app = cacheApp();
    await app.post(PRODUCT_P1);
    await app.post(PRODUCT_P2);
    const mutation = await app.post('mutation { renameProduct(id: "p1", name: "Big lamp") { id name } }');
    expect(mutation.body).toEqual({ data: { renameProduct: { id: 'p1', name: 'Big lamp' } } });
    expect(mutation.headers.get('x-loom-cache')).toBeNull();
    const fresh = await app.post(PRODUCT_P1);
    expect(fresh.headers.get('x-loom-cache')).toBe('MISS');
    expect(fresh.body).toEqual({ data: { product: { id: 'p1', name: 'Big lamp' } } });
    expect((await app.post(PRODUCT_P2)).headers.get('x-loom-cache')).toBe('HIT');
    expect(app.calls.get('product')).toBe(3);
  });

  it('shares public entries between callers', async () => {
    const app = cacheApp({ privateScope: ['Query.me'] });
    expect((await app.post(PRODUCT_P1, alice)).headers.get('x-loom-cache')).toBe('MISS');
    expect((await app.post(PRODUCT_P1, bob)).headers.get('x-loom-cache')).toBe('HIT');
    expect((await app.post(PRODUCT_P1)).headers.get('x-loom-cache')).toBe('HIT');
  });

  it('keys private entries by identity: never served to another user, never cached for anonymous callers', async () => {
    const app = cacheApp({ privateScope: ['Query.me'] });
    expect((await app.post(ME, alice)).body).toEqual({ data: { me: { id: 'alice', plan: 'pro' } } });
    const aliceAgain = await app.post(ME, alice);
    expect(aliceAgain.headers.get('x-loom-cache')).toBe('HIT');
    expect(aliceAgain.body).toEqual({ data: { me: { id: 'alice', plan: 'pro' } } });
    const bobFirst = await app.post(ME, bob);
    expect(bobFirst.headers.get('x-loom-cache')).toBe('MISS');
    expect(bobFirst.body).toEqual({ data: { me: { id: 'bob', plan: 'free' } } });
    // An alias does not hide the private field.
    expect((await app.post('{ mine: me { id } }', bob)).headers.get('x-loom-cache')).toBe('MISS');
    const anonymous = await app.post(ME);
    expect(anonymous.headers.get('x-loom-cache')).toBeNull();
    await app.post(ME);
    expect(app.calls.get('me')).toBe(5);
  });

  it('treats a private type like a private field, and an API key as an identity', async () => {
    const app = cacheApp({ privateScope: ['Me'] });
    expect((await app.post(ME, { 'x-test-api-key': 'k1' })).headers.get('x-loom-cache')).toBe('MISS');
    expect((await app.post(ME, { 'x-test-api-key': 'k1' })).headers.get('x-loom-cache')).toBe('HIT');
    expect((await app.post(ME, { 'x-test-api-key': 'k2' })).headers.get('x-loom-cache')).toBe('MISS');
  });

  it('applies the TTL of each type and field, the shortest winning, and 0 means never', async () => {
    const ttls: number[] = [];
    const app = cacheApp({
      cache: ttlRecordingCache(ttls),
      ttlMs: 30_000,
      ttlPerType: { Me: 0 },
      ttlPerField: { 'Query.products': 5_000 },
    });
    await app.post(PRODUCT_P1);
    await app.post('{ products(first: 1) { id } }');
    await app.post('{ products(first: 1) { id } product(id: "p2") { id } }');
    expect(ttls).toEqual([30_000, 5_000, 5_000]);
    await app.post(ME, alice);
    expect((await app.post(ME, alice)).headers.get('x-loom-cache')).toBe('MISS');
    expect(ttls).toHaveLength(3);
    const typeTtls: number[] = [];
    const typeApp = cacheApp({ cache: ttlRecordingCache(typeTtls), ttlPerType: { Product: 2_000 } });
    await typeApp.post(PRODUCT_P1);
    expect(typeTtls).toEqual([2_000]);
  });

  it('invalidates on an upstream event through the exported invalidator', async () => {
    const invalidator = createResponseCacheInvalidator();
    const app = cacheApp({ invalidator });
    await app.post(PRODUCT_P1);
    await app.post(PRODUCT_P2);
    await invalidator.invalidate([{ typename: 'Product', id: 'p2' }]);
    expect((await app.post(PRODUCT_P1)).headers.get('x-loom-cache')).toBe('HIT');
    expect((await app.post(PRODUCT_P2)).headers.get('x-loom-cache')).toBe('MISS');
    await invalidator.invalidate([{ typename: 'Product' }]);
    expect((await app.post(PRODUCT_P1)).headers.get('x-loom-cache')).toBe('MISS');
  });

  it('lets a mutation on one BFF drop the entity from another BFF sharing the invalidator', async () => {
    const invalidator = createResponseCacheInvalidator();
    const web = createTinyApp({ bffName: 'web', policies: [useResponseCache({ invalidator })] });
    const mobile = createTinyApp({ bffName: 'mobile', policies: [useResponseCache({ invalidator })] });
    await mobile.post(PRODUCT_P1);
    await mobile.post(PRODUCT_P2);
    expect((await mobile.post(PRODUCT_P1)).headers.get('x-loom-cache')).toBe('HIT');
    await web.post('mutation { renameProduct(id: "p1", name: "x") { id } }');
    expect((await mobile.post(PRODUCT_P1)).headers.get('x-loom-cache')).toBe('MISS');
    expect((await mobile.post(PRODUCT_P2)).headers.get('x-loom-cache')).toBe('HIT');
  });

  it('still charges the rate limit on a cache hit when placed after it', async () => {
    const app = createTinyApp({
      policies: [useRateLimit({ rules: [{ by: 'global', budget: 10 }] }), useResponseCache()],
    });
    expect((await app.post(PRODUCT_P1)).headers.get('ratelimit-remaining')).toBe('7');
    const hit = await app.post(PRODUCT_P1);
    expect(hit.headers.get('x-loom-cache')).toBe('HIT');
    expect(hit.headers.get('ratelimit-remaining')).toBe('4');
  });

  it('keeps one entry per value of each vary header', async () => {
    const app = cacheApp({ varyHeaders: ['Accept-Language'] });
    expect((await app.post(PRODUCT_P1, { 'accept-language': 'de' })).headers.get('x-loom-cache')).toBe('MISS');
    expect((await app.post(PRODUCT_P1, { 'accept-language': 'fr' })).headers.get('x-loom-cache')).toBe('MISS');
    expect((await app.post(PRODUCT_P1)).headers.get('x-loom-cache')).toBe('MISS');
    expect((await app.post(PRODUCT_P1, { 'accept-language': 'de' })).headers.get('x-loom-cache')).toBe('HIT');
    expect((await app.post(PRODUCT_P1)).headers.get('x-loom-cache')).toBe('HIT');
    expect(app.calls.get('product')).toBe(3);
  });

  it('can hide the header', async () => {
    const app = cacheApp({ header: false });
    await app.post(PRODUCT_P1);
    const hit = await app.post(PRODUCT_P1);
    expect(hit.headers.get('x-loom-cache')).toBeNull();
    expect(app.calls.get('product')).toBe(1);
  });

  it('checks its options at start-up', () => {
    expect(() => useResponseCache({ ttlMs: 0 })).toThrow('useResponseCache: ttlMs must be a positive integer, got 0');
    expect(() => useResponseCache({ ttlPerField: { products: 5 } })).toThrow(
      'ttlPerField key "products" must be a Type.field coordinate',
    );
    expect(() => useResponseCache({ ttlPerType: { Product: -1 } })).toThrow(
      'ttlPerType.Product must be a non-negative integer (ms), got -1',
    );
    expect(() => useResponseCache({ privateScope: ['Query.me.id'] })).toThrow(
      'privateScope entry "Query.me.id" must be a type or Type.field',
    );
    expect(() => useResponseCache({ header: '' })).toThrow('header must be a non-empty string');
  });

  it('refuses at start-up a type or field this BFF does not have', () => {
    expect(() => cacheApp({ privateScope: ['Customer'] })).toThrow(
      'useResponseCache: privateScope: type "Customer" is not in this BFF\'s schema',
    );
    expect(() => cacheApp({ ttlPerField: { 'Query.customers': 5 } })).toThrow(
      'ttlPerField: field "Query.customers" is not in this BFF\'s schema',
    );
  });
});
