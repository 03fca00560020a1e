import type { Plugin } from 'graphql-yoga';
import { useCostLimit } from '../../src/plugins/use-cost-limit';
import { createTestApp } from './plugin-test-app';

// Compile-time check: the factory returns a yoga/envelop plugin.
const _typed: Plugin = useCostLimit();

describe('useCostLimit', () => {
  // customers(first: n) { id } costs 1 + n; nested friends multiply.
  const app = createTestApp([useCostLimit({ maxCost: 50, defaultListSize: 10, fieldCosts: { 'Query.secret': 40 } })]);

  it('serves an operation at the limit', async () => {
    const { status, body } = await app.post({ query: 'query($n: Int) { customers(first: $n) { id } }', variables: { n: 49 } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.customers).toHaveLength(49);
  });

  it('refuses one over the limit with the computed cost, before any resolver', async () => {
    const before = app.calls();
    const { status, body } = await app.post({ query: 'query($n: Int) { customers(first: $n) { id } }', variables: { n: 50 } });
    expect(status).toBe(400);
    expect(body).toEqual({ errors: [{ message: 'Query cost 51 exceeds the maximum of 50', extensions: { code: 'COST_LIMIT_EXCEEDED', cost: 51, maxCost: 50 } }] });
    expect(app.calls()).toBe(before);
  });

  it('multiplies nested lists and uses the default list size without a size argument', async () => {
    // 1 + 10 * (1 + 10 * 1) = 111
    const { status, body } = await app.post({ query: '{ customers { friends { id } } }' });
    expect(status).toBe(400);
    expect(body.errors[0].extensions).toEqual({ code: 'COST_LIMIT_EXCEEDED', cost: 111, maxCost: 50 });
  });

  it('applies per-field overrides', async () => {
    const { body } = await app.post({ query: '{ secret hello a: hello b: hello c: hello d: hello e: hello f: hello g: hello h: hello i: hello j: hello }' });
    expect(body.errors[0].extensions).toEqual({ code: 'COST_LIMIT_EXCEEDED', cost: 51, maxCost: 50 });
  });

  it('prices only the operation that runs', async () => {
    const query = 'query Cheap { hello } query Dear { customers(first: 100) { id } }';
    expect((await app.post({ query, operationName: 'Cheap' })).body).toEqual({ data: { hello: 'world' } });
    expect((await app.post({ query, operationName: 'Dear' })).body.errors[0].extensions.cost).toBe(101);
  });

  it('fails at start-up on bad options', () => {
    expect(() => useCostLimit({ maxCost: -1 })).toThrow('useCostLimit: maxCost must be a positive integer, got -1');
    expect(() => useCostLimit({ fieldCosts: { nope: 1 } })).toThrow('useCostLimit: query cost: fieldCosts key "nope" is not a Type.field coordinate');
  });
});
