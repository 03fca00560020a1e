import { invalidateResponseCache } from '../../src/plugins/cache/response-cache-invalidator';
import { startTwoInstances, type TwoInstances } from '../fixtures/ratelimit/shared-gateways';

const getItem = (id: string) => ({ query: 'query ($id: String!) { getItem(id: $id) { id name } }', variables: { id } });

describe('response cache shared by two gateway instances through Redis', () => {
  let setup: TwoInstances;

  beforeAll(async () => {
    setup = await startTwoInstances('cache', './test/fixtures/ratelimit/bff-cached.ts');
  });
  afterAll(async () => {
    await setup?.close();
  });

  it('serves an entry written by one instance from the other; a mutation on one invalidates it on both', async () => {
    const { bff, backend, first, second } = setup;
    const written = await first.query(bff, getItem('1'));
    expect(written.status).toBe(200);
    expect(written.headers.get('x-loom-cache')).toBe('MISS');
    expect(written.body).toEqual({ data: { getItem: { id: '1', name: 'Item 1' } } });

    const served = await second.query(bff, getItem('1'));
    expect(served.headers.get('x-loom-cache')).toBe('HIT');
    expect(served.body).toEqual(written.body);
    expect(backend.calls.count('getItem')).toBe(1);
    expect(await first.gateway.metrics.getSingleMetricAsString('loom_cache_misses_total')).toContain(
      `loom_cache_misses_total{bff="${bff}"} 1`,
    );
    expect(await second.gateway.metrics.getSingleMetricAsString('loom_cache_hits_total')).toContain(
      `loom_cache_hits_total{bff="${bff}"} 1`,
    );

    // Item 2 is cached too and must survive a mutation of item 1.
    await first.query(bff, getItem('2'));
    expect((await second.query(bff, getItem('2'))).headers.get('x-loom-cache')).toBe('HIT');

    const mutation = await second.query(bff, {
      query: 'mutation { updateItem(id: "1", input: { name: "Renamed" }) { id name } }',
    });
    expect(mutation.body).toEqual({ data: { updateItem: { id: '1', name: 'Renamed' } } });

    const afterMutation = await first.query(bff, getItem('1'));
    expect(afterMutation.headers.get('x-loom-cache')).toBe('MISS');
    expect(afterMutation.body).toEqual({ data: { getItem: { id: '1', name: 'Renamed' } } });
    expect((await second.query(bff, getItem('1'))).headers.get('x-loom-cache')).toBe('HIT');
    expect((await first.query(bff, getItem('2'))).headers.get('x-loom-cache')).toBe('HIT');
    expect(backend.calls.count('getItem')).toBe(3);
  });

  it('drops entries on an upstream event through invalidateResponseCache, for every instance', async () => {
    const { bff, first, second, redis } = setup;
    await first.query(bff, getItem('3'));
    expect((await second.query(bff, getItem('3'))).headers.get('x-loom-cache')).toBe('HIT');
    await invalidateResponseCache({ redis, bffKeyPrefix: `loom:${bff}:` }, [{ typename: 'Item', id: '3' }]);
    expect((await second.query(bff, getItem('3'))).headers.get('x-loom-cache')).toBe('MISS');
    expect((await first.query(bff, getItem('3'))).headers.get('x-loom-cache')).toBe('HIT');
  });

  it('keeps every key under the BFF prefix', async () => {
    const { bff, first, redis } = setup;
    await first.query(bff, { query: '{ listItems(limit: 2) { id } }' });
    const all = await redis.keys('*');
    const ours = all.filter((key) => key.includes(bff));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.every((key) => key.startsWith(`loom:${bff}:cache:{loom:${bff}:cache}:`))).toBe(true);
    // Entries expire with the BFF's TTL (ten minutes), in Redis itself.
    const responseKeys = ours.filter((key) => /:cache\}:r:[^:]+$/.test(key));
    expect(responseKeys.length).toBeGreaterThan(0);
    for (const key of responseKeys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600_000);
    }
  });
});

describe('response replay on two gateway instances sharing Redis', () => {
  let setup: TwoInstances;
  beforeAll(async () => {
    setup = await startTwoInstances('replay', './test/fixtures/ratelimit/bff-cached-replay.ts', { socket: true });
  });
  afterAll(async () => {
    await setup?.close();
  });

  it('never replays an entry that a mutation on the other instance invalidated', async () => {
    const { bff, backend, first, second } = setup;
    await first.query(bff, getItem('1'));
    await second.query(bff, getItem('1'));
    const replayed = await second.query(bff, getItem('1'));
    expect(replayed.headers.get('x-loom-cache')).toBe('HIT');
    expect(await second.gateway.metrics.getSingleMetricAsString('loom_cache_replays_total')).toContain(
      `loom_cache_replays_total{bff="${bff}"} 1`,
    );

    await first.query(bff, { query: 'mutation { updateItem(id: "1", input: { name: "Renamed" }) { id name } }' });
    const fresh = await second.query(bff, getItem('1'));
    expect(fresh.headers.get('x-loom-cache')).toBe('MISS');
    expect(fresh.body).toEqual({ data: { getItem: { id: '1', name: 'Renamed' } } });
    expect(backend.calls.count('getItem')).toBe(2);
  });
});
