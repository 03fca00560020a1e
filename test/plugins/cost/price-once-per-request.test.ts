import { buildSchema, parse, type GraphQLError } from 'graphql';
import { createQueryCostCalculator, type QueryCostCalculator } from '../../../src/plugins/cost/compute-query-cost';
import { priceOncePerRequest } from '../../../src/plugins/cost/price-once-per-request';

const schema = buildSchema(/* GraphQL */ `
  type User {
    id: ID!
    friends(first: Int): [User!]!
  }
  type Query {
    user: User
    users(first: Int): [User!]!
  }
`);

/** A calculator whose pricing walks are counted. */
function countingCalculator(): { calculate: QueryCostCalculator; walks: () => number } {
  const real = createQueryCostCalculator({ defaultListSize: 10 });
  let walks = 0;
  const price: QueryCostCalculator['price'] = (...args) => {
    walks += 1;
    return real.price(...args);
  };
  return { calculate: Object.assign(real.bind(null), { price, optionsKey: real.optionsKey }), walks: () => walks };
}

describe('priceOncePerRequest', () => {
  it('prices a repeated document without variables once, across requests', () => {
    const { calculate, walks } = countingCalculator();
    const document = parse('{ users { id friends { id } } }');
    const first = priceOncePerRequest(calculate, { context: {}, schema, document, variables: {} });
    const second = priceOncePerRequest(calculate, { context: {}, schema, document, variables: undefined });
    expect(second).toEqual(first);
    expect(walks()).toBe(1);
  });

  it('prices again for variables, another schema, another operation or a higher limit than a lower bound', () => {
    const { calculate, walks } = countingCalculator();
    const document = parse('query A($n: Int) { users(first: $n) { id } } query B { user { id } }');
    const a1 = priceOncePerRequest(calculate, {
      context: {},
      schema,
      document,
      variables: { n: 2 },
      operationName: 'A',
    });
    const a2 = priceOncePerRequest(calculate, {
      context: {},
      schema,
      document,
      variables: { n: 50 },
      operationName: 'A',
    });
    expect([a1.cost, a2.cost, walks()]).toEqual([3, 51, 2]);

    priceOncePerRequest(calculate, { context: {}, schema, document, operationName: 'B' });
    const otherSchema = buildSchema('type Query { user: User } type User { id: ID! }');
    priceOncePerRequest(calculate, { context: {}, schema: otherSchema, document, operationName: 'B' });
    expect(walks()).toBe(4);

    // A price cut short at stopAbove is a lower bound: a caller with a higher limit gets a full count.
    const wide = parse('{ users(first: 100) { friends(first: 100) { id } } }');
    const bound = priceOncePerRequest(calculate, { context: {}, schema, document: wide, stopAbove: 10 });
    expect(bound.cost).toBeGreaterThan(10);
    const full = priceOncePerRequest(calculate, { context: {}, schema, document: wide });
    expect(full.cost).toBe(10_101);
    expect(walks()).toBe(6);
  });

  it('throws the same refusal for every request of a refused document, from one walk', () => {
    const { calculate, walks } = countingCalculator();
    const document = parse('{ users(first: -1) { id } }');
    const refusals = [1, 2, 3].map(() => {
      try {
        priceOncePerRequest(calculate, { context: {}, schema, document });
        return undefined;
      } catch (error) {
        return (error as GraphQLError).extensions?.code;
      }
    });
    expect(refusals).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(walks()).toBe(1);
  });
});
