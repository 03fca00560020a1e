import type { Plugin } from 'graphql-yoga';
import * as costFunction from '../../src/plugins/cost/compute-query-cost';
import { useRateLimit } from '../../src/plugins/rate-limit/use-rate-limit';
import { useCostLimit } from '../../src/plugins/use-cost-limit';
import { createMemoryRateLimitStore } from '../../src/plugins/stores/memory-rate-limit-store';
import { createTinyApp } from '../fixtures/ratelimit/tiny-app';
import { createTestApp } from './plugin-test-app';

// Compile-time check: the factory returns a yoga/envelop plugin.
const _typed: Plugin = useCostLimit();

describe('useCostLimit', () => {
  // customers(first: n) { id } costs 1 + n; nested friends multiply.
  const app = createTestApp([useCostLimit({ maxCost: 50, defaultListSize: 10, fieldCosts: { 'Query.secret': 40 } })]);

  it('serves an operation at the limit', async () => {
    const { status, body } = await app.post({
      query: 'query($n: Int) { customers(first: $n) { id } }',
      variables: { n: 49 },
    });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.customers).toHaveLength(49);
  });

  it('refuses one over the limit with the computed cost, before any resolver', async () => {
    const before = app.calls();
    const { status, body } = await app.post({
      query: 'query($n: Int) { customers(first: $n) { id } }',
      variables: { n: 50 },
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      errors: [
        {
          message: 'Query cost 51 exceeds the maximum of 50',
          extensions: { code: 'COST_LIMIT_EXCEEDED', cost: 51, maxCost: 50 },
        },
      ],
    });
    expect(app.calls()).toBe(before);
  });

  it('multiplies nested lists and uses the default list size without a size argument', async () => {
    // 1 + 10 * (1 + 10 * 1) = 111
    const { status, body } = await app.post({ query: '{ customers { friends { id } } }' });
    expect(status).toBe(400);
    expect(body.errors[0].extensions).toEqual({ code: 'COST_LIMIT_EXCEEDED', cost: 111, maxCost: 50 });
  });

  it('applies per-field overrides', async () => {
    const { body } = await app.post({
      query:
        '{ secret hello a: hello b: hello c: hello d: hello e: hello f: hello g: hello h: hello i: hello j: hello }',
    });
    expect(body.errors[0].extensions).toEqual({ code: 'COST_LIMIT_EXCEEDED', cost: 51, maxCost: 50 });
  });

  it('prices only the operation that runs', async () => {
    const query = 'query Cheap { hello } query Dear { customers(first: 100) { id } }';
    expect((await app.post({ query, operationName: 'Cheap' })).body).toEqual({ data: { hello: 'world' } });
    expect((await app.post({ query, operationName: 'Dear' })).body.errors[0].extensions.cost).toBe(101);
  });

  it('refuses the 5.5 KB fragment-spread bomb with COST_LIMIT_EXCEEDED, before any resolver', async () => {
    // 300 x 300 x 300 spreads: re-walked per occurrence, this froze the process for minutes (issue 25).
    const spreads = (name: string) => Array.from({ length: 300 }, () => `...${name}`).join(' ');
    const query = `{ ...F0 } fragment F0 on Query { ${spreads('F1')} } fragment F1 on Query { ${spreads('F2')} } fragment F2 on Query { ${spreads('F3')} } fragment F3 on Query { customers { id } }`;
    expect(query.length).toBeGreaterThan(5000);
    const before = app.calls();
    const { status, body } = await app.post({ query });
    expect(status).toBe(400);
    // Counting stops at the limit: the cost reported is the count when it was passed.
    expect(body).toEqual({
      errors: [
        {
          message: expect.stringMatching(/^Query cost \d+ exceeds the maximum of 50$/),
          extensions: { code: 'COST_LIMIT_EXCEEDED', cost: expect.any(Number), maxCost: 50 },
        },
      ],
    });
    expect(body.errors[0].extensions.cost).toBeGreaterThan(50);
    expect(app.calls()).toBe(before);
  });

  it.each([
    [
      'a negative size',
      'query($n: Int) { customers(first: $n) { id } }',
      { n: -5 },
      'Query.customers(first:) must be a non-negative list size, got -5',
    ],
    [
      'a negative nested size',
      '{ customers(first: 1) { friends(first: -1) { id } } }',
      {},
      'Customer.friends(first:) must be a non-negative list size, got -1',
    ],
    [
      'an absurd size',
      '{ customers(first: 2000000) { id } }',
      {},
      'Query.customers(first:) asks for 2000000 items; the most allowed is 100000',
    ],
  ])('refuses %s with BAD_USER_INPUT instead of pricing it as nothing', async (_name, query, variables, message) => {
    const before = app.calls();
    const { status, body } = await app.post({ query, variables });
    expect(status).toBe(400);
    expect(body).toEqual({
      errors: [{ message, extensions: { code: 'BAD_USER_INPUT', argument: message.split(' ')[0] } }],
    });
    expect(app.calls()).toBe(before);
  });

  it('requires and caps the bound of a bounded list when configured (mobile)', async () => {
    const bounded = createTestApp([useCostLimit({ maxCost: 1000, requireListSize: true, maxListSize: 20 })]);
    expect((await bounded.post({ query: '{ customers(first: 20) { id } }' })).status).toBe(200);
    for (const query of [
      '{ customers { id } }',
      '{ customers(first: null) { id } }',
      '{ customers(first: 21) { id } }',
    ]) {
      const { status, body } = await bounded.post({ query });
      expect(status).toBe(400);
      expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'Query.customers(first:)' });
    }
  });

  it('clamps out-of-range sizes when configured, and runs with the clamped arguments', async () => {
    const clamping = createTestApp([
      useCostLimit({
        maxCost: 1000,
        requireListSize: true,
        maxListSize: 20,
        defaultListSize: 3,
        outOfRangeListSize: 'clamp',
      }),
    ]);
    const sizes = async (query: string, variables: Record<string, unknown> = {}) => {
      const { status, body } = await clamping.post({ query, variables });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      return body.data;
    };
    expect((await sizes('{ customers(first: 500) { id } }')).customers).toHaveLength(20);
    expect((await sizes('query($n: Int) { customers(first: $n) { id } }', { n: -5 })).customers).toHaveLength(0);
    expect((await sizes('{ customers { id } }')).customers).toHaveLength(3);
    expect((await sizes('{ customers(first: null) { id } }')).customers).toHaveLength(3);
    const nested = await sizes('{ customers(first: 1) { ...F } } fragment F on Customer { friends(first: 99) { id } }');
    expect(nested.customers[0].friends).toHaveLength(20);
    expect((await sizes('{ customers(first: 2) { id } }')).customers).toHaveLength(2);
  });

  it('prices each request once for the cost limit and the rate limiter together', async () => {
    const original = costFunction.createQueryCostCalculator;
    let walks = 0;
    const spy = jest.spyOn(costFunction, 'createQueryCostCalculator').mockImplementation((options) => {
      const calculate = original(options);
      const price = (...args: Parameters<typeof calculate.price>) => (walks++, calculate.price(...args));
      return Object.assign((...args: Parameters<typeof calculate>) => price(...args).cost, {
        price,
        optionsKey: calculate.optionsKey,
      });
    });
    try {
      const store = createMemoryRateLimitStore();
      const tiny = createTinyApp({
        policies: [useCostLimit({ maxCost: 10 }), useRateLimit({ rules: [{ by: 'global', budget: 100 }], store })],
      });
      const served = await tiny.post('{ products(first: 2) { id } }');
      expect(served.status).toBe(200);
      expect(served.headers.get('ratelimit-remaining')).toBe('97');
      expect(walks).toBe(1);
      const refused = await tiny.post('{ products(first: 20) { id } }');
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('COST_LIMIT_EXCEEDED');
      expect(walks).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('fails at start-up on bad options', () => {
    expect(() => useCostLimit({ maxCost: -1 })).toThrow('useCostLimit: maxCost must be a positive integer, got -1');
    expect(() => useCostLimit({ fieldCosts: { nope: 1 } })).toThrow(
      'useCostLimit: query cost: fieldCosts key "nope" is not a Type.field coordinate',
    );
    expect(() => useCostLimit({ outOfRangeListSize: 'drop' as 'clamp' })).toThrow(
      'useCostLimit: query cost: outOfRangeListSize must be reject or clamp, got "drop"',
    );
    expect(() => useCostLimit({ maxListSize: -1 })).toThrow(
      'useCostLimit: query cost: maxListSize must be a non-negative number, got -1',
    );
  });
});
