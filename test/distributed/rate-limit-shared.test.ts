import { startTwoInstances, type TwoInstances } from '../fixtures/ratelimit/shared-gateways';

// getItem(id) { id name } costs 1 + 2 = 3 units; the budget is 20 per user, so 6 fit.
const GET_ITEM = '{ getItem(id: "1") { id name } }';

describe('cost-based rate limit shared by two gateway instances through Redis', () => {
  let setup: TwoInstances;

  beforeAll(async () => {
    setup = await startTwoInstances('rl', './test/fixtures/ratelimit/bff-rate-limited.ts');
  });
  afterAll(async () => {
    await setup?.close();
  });
  beforeEach(() => setup.backend.calls.reset());

  it('accepts exactly the budget across both instances under concurrent load, refuses the rest with 429 and no upstream call', async () => {
    const { bff, backend, first, second } = setup;
    const user = { 'x-test-user': 'concurrent' };
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        (index % 2 === 0 ? first : second).query(bff, { query: GET_ITEM }, user),
      ),
    );
    const accepted = responses.filter((response) => response.status === 200);
    const refused = responses.filter((response) => response.status === 429);
    expect(accepted).toHaveLength(6);
    expect(refused).toHaveLength(24);
    expect(backend.calls.count('getItem')).toBe(6);
    for (const response of accepted) expect(response.body).toEqual({ data: { getItem: { id: '1', name: 'Item 1' } } });
    for (const response of refused) {
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors?.[0].extensions).toMatchObject({
        code: 'RATE_LIMITED',
        rule: 'user',
        cost: 3,
        limit: 20,
        remaining: 2,
      });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(response.headers.get('ratelimit-remaining')).toBe('2');
    }
    // Every accepted answer saw a different remaining budget: the six charges were serialized.
    expect(accepted.map((response) => response.headers.get('ratelimit-remaining')).sort()).toEqual(
      ['14', '17', '2', '5', '8', '11'].sort(),
    );
  });

  it('keeps each user in its own bucket on both instances', async () => {
    const { bff, first, second } = setup;
    const user = { 'x-test-user': 'separate' };
    const onFirst = await first.query(bff, { query: GET_ITEM }, user);
    const onSecond = await second.query(bff, { query: GET_ITEM }, user);
    expect([onFirst.status, onSecond.status]).toEqual([200, 200]);
    expect(onFirst.headers.get('ratelimit-limit')).toBe('20');
    expect(onFirst.headers.get('ratelimit-remaining')).toBe('17');
    expect(onSecond.headers.get('ratelimit-remaining')).toBe('14');
  });

  it('stores its buckets under the BFF key prefix, hash-tagged into one cluster slot', async () => {
    const { bff, first, redis } = setup;
    await first.query(bff, { query: GET_ITEM }, { 'x-test-user': 'prefixed' });
    const bucket = await redis.hgetall(`loom:${bff}:rl:{loom:${bff}:rl}:user:jwt:prefixed`);
    expect(Number(bucket.tokens)).toBeCloseTo(17, 0);
    expect(await redis.pttl(`loom:${bff}:rl:{loom:${bff}:rl}:user:jwt:prefixed`)).toBeGreaterThan(0);
  });
});
