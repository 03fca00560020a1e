import { Registry } from 'prom-client';
import { useRateLimit, type RateLimitOptions } from '../../src/plugins/rate-limit/use-rate-limit';
import { createMemoryRateLimitStore } from '../../src/plugins/stores/memory-rate-limit-store';
import { createTinyApp } from '../fixtures/ratelimit/tiny-app';

const PRODUCTS_2 = '{ products(first: 2) { id } }'; // 1 + 2 x 1 = 3 units

function appWithClock(options: Omit<RateLimitOptions, 'store'>, metrics = new Registry()) {
  const clock = { now: 1_000_000 };
  const app = createTinyApp({
    policies: [useRateLimit({ ...options, store: createMemoryRateLimitStore({ now: () => clock.now }) })],
    metrics,
  });
  return { app, clock };
}

const rateLimitHeaders = (headers: Headers) => ({
  limit: headers.get('ratelimit-limit'),
  remaining: headers.get('ratelimit-remaining'),
  reset: headers.get('ratelimit-reset'),
});

describe('useRateLimit (in memory)', () => {
  it('charges the query cost per user and refuses with 429 RATE_LIMITED once the budget is spent', async () => {
    const { app } = appWithClock({ rules: [{ by: 'user', budget: 10, windowMs: 60_000 }] });
    const alice = { 'x-test-user': 'alice' };
    const first = await app.post(PRODUCTS_2, alice);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ data: { products: [{ id: 'p1' }, { id: 'p2' }] } });
    expect(rateLimitHeaders(first.headers)).toEqual({ limit: '10', remaining: '7', reset: '18' });
    expect(rateLimitHeaders((await app.post(PRODUCTS_2, alice)).headers).remaining).toBe('4');
    expect(rateLimitHeaders((await app.post(PRODUCTS_2, alice)).headers).remaining).toBe('1');
    expect(app.calls.get('products')).toBe(3);

    const refused = await app.post(PRODUCTS_2, alice);
    expect(refused.status).toBe(429);
    // 2 units missing at 10 units per 60 s: 12 s.
    expect(refused.headers.get('retry-after')).toBe('12');
    expect(rateLimitHeaders(refused.headers)).toEqual({ limit: '10', remaining: '1', reset: '54' });
    expect(refused.body).toEqual({
      errors: [
        {
          message: 'Rate limit exceeded; retry in 12 s',
          extensions: { code: 'RATE_LIMITED', rule: 'user', cost: 3, limit: 10, remaining: 1, reset: 54 },
        },
      ],
    });
    expect(app.calls.get('products')).toBe(3);

    // A cheaper query still fits what is left.
    const cheap = await app.post('{ product(id: "p1") { id } }', alice);
    expect(cheap.status).toBe(429);
    const cheapest = await app.post('{ __typename }', alice);
    expect(cheapest.status).toBe(200);
    expect(cheapest.headers.get('ratelimit-remaining')).toBe('1');
  });

  it('refills with time: the refused request passes after Retry-After', async () => {
    const { app, clock } = appWithClock({ rules: [{ by: 'user', budget: 3, windowMs: 30_000 }] });
    const bob = { 'x-test-user': 'bob' };
    expect((await app.post(PRODUCTS_2, bob)).status).toBe(200);
    const refused = await app.post(PRODUCTS_2, bob);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    clock.now += 29_999;
    expect((await app.post(PRODUCTS_2, bob)).status).toBe(429);
    clock.now += 1;
    const passed = await app.post(PRODUCTS_2, bob);
    expect(passed.status).toBe(200);
    expect(passed.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('keeps one bucket per user', async () => {
    const { app } = appWithClock({ rules: [{ by: 'user', budget: 3 }] });
    expect((await app.post(PRODUCTS_2, { 'x-test-user': 'a' })).status).toBe(200);
    expect((await app.post(PRODUCTS_2, { 'x-test-user': 'a' })).status).toBe(429);
    expect((await app.post(PRODUCTS_2, { 'x-test-user': 'b' })).status).toBe(200);
  });

  it.each(['user', 'apiKey'] as const)(
    'meters anonymous callers under a %s rule by address, never not at all',
    async (by) => {
      const { app } = appWithClock({ rules: [{ by, budget: 3 }], trustForwardedFor: true });
      const first = await app.post(PRODUCTS_2, { 'x-forwarded-for': '10.0.0.1' });
      expect(first.status).toBe(200);
      expect(rateLimitHeaders(first.headers)).toEqual({ limit: '3', remaining: '0', reset: '60' });
      const refused = await app.post(PRODUCTS_2, { 'x-forwarded-for': '10.0.0.1' });
      expect(refused.status).toBe(429);
      expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', rule: by });
      // Another address has its own bucket; so has a named caller behind the spent one.
      expect((await app.post(PRODUCTS_2, { 'x-forwarded-for': '10.0.0.2' })).status).toBe(200);
      const named: Record<string, string> =
        by === 'user' ? { 'x-test-user': '10.0.0.1' } : { 'x-test-api-key': '10.0.0.1' };
      expect((await app.post(PRODUCTS_2, { ...named, 'x-forwarded-for': '10.0.0.1' })).status).toBe(200);
      // No address at all (an in-process request): one shared bucket, not none.
      expect((await app.post(PRODUCTS_2)).status).toBe(200);
      expect((await app.post(PRODUCTS_2)).status).toBe(429);
    },
  );

  it('gives each plan its budget', async () => {
    const { app } = appWithClock({ rules: [{ by: 'user', budget: 3, budgetByPlan: { pro: 9 } }] });
    const free = { 'x-test-user': 'f', 'x-test-plan': 'free' };
    const pro = { 'x-test-user': 'p', 'x-test-plan': 'pro' };
    expect((await app.post(PRODUCTS_2, free)).headers.get('ratelimit-limit')).toBe('3');
    expect((await app.post(PRODUCTS_2, free)).status).toBe(429);
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await app.post(PRODUCTS_2, pro)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('shares one bucket per plan claim with by: plan', async () => {
    const { app } = appWithClock({ rules: [{ by: 'plan', budget: 3, budgetByPlan: { pro: 6 } }] });
    expect((await app.post(PRODUCTS_2, { 'x-test-user': 'x', 'x-test-plan': 'free' })).status).toBe(200);
    expect((await app.post(PRODUCTS_2, { 'x-test-user': 'y', 'x-test-plan': 'free' })).status).toBe(429);
    expect((await app.post(PRODUCTS_2, { 'x-test-user': 'z', 'x-test-plan': 'pro' })).status).toBe(200);
  });

  it('keys apiKey rules on API key callers only, and ip rules on the forwarded address when trusted', async () => {
    const { app } = appWithClock({
      rules: [
        { by: 'apiKey', budget: 3 },
        { by: 'ip', budget: 6 },
      ],
      trustForwardedFor: true,
    });
    const key = { 'x-test-api-key': 'k1', 'x-forwarded-for': '10.0.0.1' };
    expect((await app.post(PRODUCTS_2, key)).status).toBe(200);
    const keyRefused = await app.post(PRODUCTS_2, key);
    expect(keyRefused.status).toBe(429);
    expect(keyRefused.body.errors?.[0].extensions?.rule).toBe('apiKey');
    const user = { 'x-test-user': 'u', 'x-forwarded-for': '10.0.0.1, 192.168.0.1' };
    expect((await app.post(PRODUCTS_2, user)).status).toBe(200);
    const ipRefused = await app.post(PRODUCTS_2, user);
    expect(ipRefused.status).toBe(429);
    expect(ipRefused.body.errors?.[0].extensions?.rule).toBe('ip');
    expect((await app.post(PRODUCTS_2, { 'x-forwarded-for': '10.0.0.2' })).status).toBe(200);
  });

  it('keys a rule on whatever a function of the context returns', async () => {
    const { app } = appWithClock({
      rules: [{ name: 'tenant', by: (context) => context.request?.headers.get('x-tenant') ?? undefined, budget: 3 }],
    });
    expect((await app.post(PRODUCTS_2, { 'x-tenant': 'acme' })).status).toBe(200);
    const refused = await app.post(PRODUCTS_2, { 'x-tenant': 'acme', 'x-test-user': 'someone-else' });
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions?.rule).toBe('tenant');
    expect((await app.post(PRODUCTS_2, { 'x-tenant': 'globex' })).status).toBe(200);
    expect((await app.post(PRODUCTS_2)).headers.get('ratelimit-limit')).toBeNull();
  });

  it('charges every rule or none: a refusal by one rule spends nothing of another', async () => {
    const { app } = appWithClock({
      rules: [
        { by: 'user', budget: 9 },
        { by: 'global', budget: 4 },
      ],
    });
    const first = await app.post(PRODUCTS_2, { 'x-test-user': 'a' });
    // The tightest rule speaks in the headers: global has 1 of 4 left, user 6 of 9.
    expect(rateLimitHeaders(first.headers)).toMatchObject({ limit: '4', remaining: '1' });
    const refused = await app.post(PRODUCTS_2, { 'x-test-user': 'a' });
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', rule: 'global', remaining: 1 });
    const probe = await app.post('{ __typename }', { 'x-test-user': 'a' });
    expect(probe.status).toBe(200);
    expect(rateLimitHeaders(probe.headers)).toMatchObject({ limit: '4', remaining: '1' });
    expect(app.calls.get('products')).toBe(1);
  });

  it('limits one field per user, counting every selection of it, and leaves other operations alone', async () => {
    const { app } = appWithClock({
      rules: [{ by: 'user', field: 'Mutation.createProduct', budget: 3, windowMs: 60_000 }],
    });
    const carol = { 'x-test-user': 'carol' };
    const two = await app.post(
      'mutation { a: createProduct(name: "A") { id } b: createProduct(name: "B") { id } }',
      carol,
    );
    expect(two.status).toBe(200);
    expect(two.headers.get('ratelimit-limit')).toBeNull();
    expect((await app.post('mutation { createProduct(name: "C") { id } }', carol)).status).toBe(200);
    const refused = await app.post('mutation { createProduct(name: "D") { id } }', carol);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0].extensions).toEqual({
      code: 'RATE_LIMITED',
      rule: 'user:Mutation.createProduct',
      cost: 1,
      limit: 3,
      remaining: 0,
      reset: 60,
    });
    expect(refused.headers.get('retry-after')).toBe('20');
    // A refusal's headers describe the rule that refused.
    expect(rateLimitHeaders(refused.headers)).toEqual({ limit: '3', remaining: '0', reset: '60' });
    expect(app.calls.get('createProduct')).toBe(3);
    expect((await app.post('mutation { renameProduct(id: "p1", name: "x") { id } }', carol)).status).toBe(200);
    expect((await app.post(PRODUCTS_2, carol)).status).toBe(200);
    expect((await app.post('mutation { createProduct(name: "E") { id } }', { 'x-test-user': 'dave' })).status).toBe(
      200,
    );
  });

  it('prices with the cost options and refuses a query bigger than the whole budget', async () => {
    const { app } = appWithClock({
      rules: [{ by: 'global', budget: 50, windowMs: 10_000 }],
      cost: { fieldCosts: { 'Query.product': 20 } },
    });
    const product = await app.post('{ product(id: "p1") { id name } }');
    expect(product.headers.get('ratelimit-remaining')).toBe('28');
    const huge = await app.post('{ products(first: 100) { id } }');
    expect(huge.status).toBe(429);
    expect(huge.headers.get('retry-after')).toBe('10');
    expect(app.calls.get('products')).toBeUndefined();
  });

  it('counts rejections per bff and rule in one shared registry', async () => {
    const metrics = new Registry();
    const web = appWithClock({ rules: [{ by: 'global', budget: 3 }] }, metrics).app;
    const mobile = createTinyApp({
      bffName: 'mobile',
      metrics,
      policies: [useRateLimit({ rules: [{ by: 'global', budget: 3, name: 'everyone' }] })],
    });
    await web.post(PRODUCTS_2);
    await web.post(PRODUCTS_2);
    await web.post(PRODUCTS_2);
    await mobile.post(PRODUCTS_2);
    await mobile.post(PRODUCTS_2);
    const text = await metrics.getSingleMetricAsString('loom_rate_limit_rejections_total');
    expect(text).toContain('loom_rate_limit_rejections_total{bff="web",rule="global"} 2');
    expect(text).toContain('loom_rate_limit_rejections_total{bff="mobile",rule="everyone"} 1');
  });

  it('checks its options at start-up', () => {
    expect(() => useRateLimit({ rules: [] })).toThrow('useRateLimit: rules must be a non-empty list');
    expect(() => useRateLimit({ rules: [{ by: 'user', budget: 0 }] })).toThrow(
      'rules[0].budget must be a positive integer, got 0',
    );
    expect(() => useRateLimit({ rules: [{ by: 'team' as 'user', budget: 1 }] })).toThrow(
      'rules[0].by must be one of user, apiKey, plan, ip, global',
    );
    expect(() => useRateLimit({ rules: [{ by: 'user', budget: 1, field: 'createProduct' }] })).toThrow(
      'rules[0].field must be a Type.field coordinate',
    );
    expect(() =>
      useRateLimit({
        rules: [
          { by: 'user', budget: 1 },
          { by: 'user', budget: 2 },
        ],
      }),
    ).toThrow('two rules are named "user"');
    expect(() => useRateLimit({ rules: [{ by: 'user', budget: 1 }], failMode: 'maybe' as 'open' })).toThrow(
      'failMode must be one of open, closed',
    );
    expect(() => useRateLimit({ rules: [{ by: 'user', budget: 1 }], cost: { defaultListSize: -1 } })).toThrow(
      'useRateLimit: cost: query cost: defaultListSize must be a non-negative number, got -1',
    );
  });

  it('refuses at start-up a field rule naming a field this BFF does not have', () => {
    const build = () =>
      createTinyApp({
        policies: [useRateLimit({ rules: [{ by: 'user', budget: 1, field: 'Mutation.deleteProduct' }] })],
      });
    expect(build).toThrow('useRateLimit: rules[].field: field "Mutation.deleteProduct" is not in this BFF\'s schema');
  });
});
