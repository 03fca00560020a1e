import { buildSchema, getIntrospectionQuery, parse, print, type GraphQLError } from 'graphql';
import {
  computeQueryCost,
  createQueryCostCalculator,
  resolveQueryCostOptions,
  type QueryCostOptions,
} from '../../../src/plugins/cost/compute-query-cost';

const schema = buildSchema(/* GraphQL */ `
  interface Node {
    id: ID!
  }
  type Review implements Node {
    id: ID!
    stars: Int
    author: User
  }
  type User implements Node {
    id: ID!
    name: String
    tags: [String!]!
    friends(first: Int): [User!]!
  }
  type Product implements Node {
    id: ID!
    name: String
    price: Float
    reviews(limit: Int = 3): [Review!]!
    matrix: [[Review]]
  }
  union SearchHit = Product | User
  type Query {
    product(id: ID!): Product
    products(first: Int, after: String): [Product!]!
    users(pageSize: String): [User]
    node(id: ID!): Node
    search(text: String!, first: Int): [SearchHit!]!
    heavy: Int
    byIds(ids: [ID!], first: Int): [Product!]!
  }
  type Mutation {
    createProduct(name: String!): Product
  }
`);

const cost = (
  query: string,
  variables: Record<string, unknown> = {},
  options: QueryCostOptions = {},
  operationName?: string,
) => computeQueryCost(schema, parse(query), variables, options, { operationName });

describe('computeQueryCost', () => {
  it('charges 1 per field by default, nested objects included', () => {
    expect(cost('{ heavy }')).toBe(1);
    expect(cost('{ product(id: "1") { id name price } }')).toBe(4);
    expect(cost('{ product(id: "1") { id } heavy }')).toBe(3);
  });

  it('multiplies a list field selection by its first/limit argument', () => {
    expect(cost('{ products(first: 5) { id name } }')).toBe(1 + 5 * 2);
    expect(cost('query ($n: Int) { products(first: $n) { id } }', { n: 7 })).toBe(1 + 7);
    expect(cost('query ($n: Int = 4) { products(first: $n) { id } }')).toBe(1 + 4);
  });

  it('uses the schema default of the size argument, then the configured default list size', () => {
    expect(cost('{ product(id: "1") { reviews { id } } }')).toBe(1 + 1 + 3);
    expect(cost('{ products { id } }')).toBe(1 + 10);
    expect(cost('{ products { id } }', {}, { defaultListSize: 2 })).toBe(1 + 2);
  });

  it('multiplies nested lists and every list level', () => {
    expect(cost('{ products(first: 2) { reviews(limit: 3) { stars } } }')).toBe(1 + 2 * (1 + 3 * 1));
    expect(cost('{ product(id: "1") { matrix { id } } }', {}, { defaultListSize: 3 })).toBe(1 + 1 + 9);
  });

  it('counts a list of scalars as one field', () => {
    expect(cost('{ product(id: "1") { id } users(pageSize: "2") { tags } }')).toBe(2 + 1 + 2 * 1);
  });

  it('refuses a negative or oversized size with BAD_USER_INPUT instead of pricing it low', () => {
    // Priced as 0 items, `first: -5` made backends answer with everything.
    const refusal = (query: string, variables: Record<string, unknown> = {}, options: QueryCostOptions = {}) => {
      try {
        cost(query, variables, options);
      } catch (error) {
        return { message: (error as GraphQLError).message, extensions: (error as GraphQLError).extensions };
      }
      throw new Error('priced without a refusal');
    };
    expect(refusal('{ products(first: -5) { id name } }')).toEqual({
      message: 'Query.products(first:) must be a non-negative list size, got -5',
      extensions: { code: 'BAD_USER_INPUT', argument: 'Query.products(first:)', http: { status: 400 } },
    });
    expect(refusal('query ($n: Int) { products(first: $n) { id } }', { n: -1 }).extensions.code).toBe('BAD_USER_INPUT');
    expect(refusal('{ users(pageSize: "-3") { id } }').message).toBe(
      'Query.users(pageSize:) must be a non-negative list size, got "-3"',
    );
    expect(refusal('{ products(first: 100001) { id } }').message).toBe(
      'Query.products(first:) asks for 100001 items; the most allowed is 100000',
    );
    expect(
      refusal('{ products(first: 51) { id } }', {}, { fieldCosts: { 'Query.products': { maxListSize: 50 } } })
        .extensions.code,
    ).toBe('BAD_USER_INPUT');
    expect(refusal('{ product(id: "1") { tags: reviews(limit: -1) { id } } }').extensions.argument).toBe(
      'Product.reviews(limit:)',
    );
    expect(cost('{ products(first: 50) { id } }', {}, { fieldCosts: { 'Query.products': { maxListSize: 50 } } })).toBe(
      51,
    );
  });

  it('multiplies a list field by the length of its list arguments when no size argument is set', () => {
    expect(cost('{ byIds(ids: ["1", "2", "3"]) { id name } }')).toBe(1 + 3 * 2);
    expect(
      cost('query ($ids: [ID!]!) { byIds(ids: $ids) { id } }', {
        ids: Array.from({ length: 30 }, (_, index) => String(index)),
      }),
    ).toBe(1 + 30);
    expect(cost('query ($ids: [ID!]!) { byIds(ids: $ids) { id } }', { ids: '7' })).toBe(1 + 1);
    // A size argument wins over the list's length; without both, the default list size.
    expect(cost('{ byIds(ids: ["1", "2", "3"], first: 1) { id } }')).toBe(1 + 1);
    expect(cost('{ byIds { id } }')).toBe(1 + 10);
    expect(cost('{ byIds(ids: ["1", "2", "3"]) { id } }', {}, { listArgumentsMultiply: false })).toBe(1 + 10);
  });

  it('requires the size argument of a bounded list when asked to', () => {
    const bounded: QueryCostOptions = { requireListSize: true };
    expect(cost('{ products(first: 3) { id } }', {}, bounded)).toBe(1 + 3);
    // The schema default counts as a bound.
    expect(cost('{ product(id: "1") { reviews { id } } }', {}, bounded)).toBe(1 + 1 + 3);
    expect(() => cost('{ products { id } }', {}, bounded)).toThrow(
      'Query.products(first:) is required: this list is bounded',
    );
    expect(() => cost('{ products(first: null) { id } }', {}, bounded)).toThrow('is required');
    expect(() => cost('query ($n: Int) { products(first: $n) { id } }', { n: null }, bounded)).toThrow('is required');
    // Lists without a size argument are not concerned.
    expect(cost('{ product(id: "1") { matrix { id } } }', {}, bounded)).toBe(1 + 1 + 100);
  });

  it('with outOfRangeListSize: clamp, prices the nearest size in range and reports the literal to send', () => {
    const calculate = createQueryCostCalculator({
      outOfRangeListSize: 'clamp',
      maxListSize: 50,
      requireListSize: true,
      defaultListSize: 4,
    });
    const document = parse('query ($n: Int) { products(first: $n) { id reviews(limit: -2) { id } } users { id } }');
    const { cost, clamps } = calculate.price(schema, document, { n: 900 });
    expect(cost).toBe(1 + 50 * (1 + 1 + 0) + (1 + 4));
    const clamped = [...clamps].map(([node, byArgument]) => [
      node.name.value,
      Object.fromEntries([...byArgument].map(([name, value]) => [name, print(value)])),
    ]);
    expect(clamped).toEqual([
      ['products', { first: '50' }],
      ['reviews', { limit: '0' }],
      // A missing required bound gets the default list size; a String size argument gets a string.
      ['users', { pageSize: '"4"' }],
    ]);
    expect(calculate.price(schema, parse('{ products(first: 3) { id } }')).clamps.size).toBe(0);
  });

  it('prices each fragment once per type it lands on: a 5.5 KB spread bomb is priced exactly, at once', () => {
    // Re-walking every spread took minutes (issue 25): 300 x 300 x 300 walks.
    const spreads = (name: string) => Array.from({ length: 300 }, () => `...${name}`).join(' ');
    const bomb = `{ ...F0 } fragment F0 on Query { ${spreads('F1')} } fragment F1 on Query { ${spreads('F2')} } fragment F2 on Query { ${spreads('F3')} } fragment F3 on Query { heavy }`;
    expect(bomb.length).toBeGreaterThan(5000);
    expect(cost(bomb)).toBe(300 ** 3);
    // The same fragment on two object types of an interface is priced per type.
    const perType =
      '{ node(id: "1") { ...N } search(text: "x", first: 1) { ...N } } fragment N on Node { ... on Product { name price } ... on User { name } }';
    expect(cost(perType)).toBe(1 + 2 + 1 + 1 * 2);
  });

  it('stops counting once past stopAbove, answering a lower bound above it', () => {
    const calculate = createQueryCostCalculator();
    const spreads = (name: string) => Array.from({ length: 300 }, () => `...${name}`).join(' ');
    const bomb = parse(
      `{ ...F0 } fragment F0 on Query { ${spreads('F1')} } fragment F1 on Query { ${spreads('F2')} } fragment F2 on Query { products(first: 50) { id } }`,
    );
    const bound = calculate(schema, bomb, {}, { stopAbove: 1000 });
    expect(bound).toBeGreaterThan(1000);
    expect(bound).toBeLessThanOrEqual(1000 + 51);
    expect(calculate(schema, bomb, {}, { stopAbove: 10 ** 9 })).toBe(300 * 300 * 51);
    // Under the limit the answer is exact; a zero-sized list above a costly selection never stops early.
    expect(calculate(schema, parse('{ products(first: 2) { id name } }'), {}, { stopAbove: 5 })).toBe(5);
    expect(
      calculate(schema, parse('{ products(first: 0) { reviews(limit: 1000) { id } } }'), {}, { stopAbove: 5 }),
    ).toBe(1);
    expect(
      calculate(schema, parse('{ products(first: 10) { reviews(limit: 10) { id } } }'), {}, { stopAbove: 5 }),
    ).toBe(1 + 10 * (1 + 10));
  });

  it('applies Type.field overrides (number or object) and type costs', () => {
    expect(cost('{ heavy }', {}, { fieldCosts: { 'Query.heavy': 50 } })).toBe(50);
    expect(cost('{ products { id } }', {}, { fieldCosts: { 'Query.products': { cost: 5, listSize: 100 } } })).toBe(
      5 + 100,
    );
    expect(
      cost('{ products(after: "9") { id } }', {}, { fieldCosts: { 'Query.products': { sizeArguments: ['after'] } } }),
    ).toBe(1 + 9);
    expect(cost('{ product(id: "1") { id } }', {}, { typeCosts: { Product: 4 } })).toBe(5);
    expect(
      cost('{ product(id: "1") { id } }', {}, { typeCosts: { Product: 4 }, fieldCosts: { 'Query.product': 2 } }),
    ).toBe(3);
    expect(cost('{ product(id: "1") { id name } }', {}, { defaultFieldCost: 2 })).toBe(6);
  });

  it('prices named fragments and inline fragments', () => {
    const withFragment =
      'query { product(id: "1") { ...P } } fragment P on Product { id name reviews(limit: 2) { id } }';
    expect(cost(withFragment)).toBe(1 + 2 + 1 + 2);
    expect(cost('{ product(id: "1") { ... on Product { id } ... { name } } }')).toBe(3);
  });

  it('takes the most expensive possible type of an interface or union', () => {
    const query = '{ node(id: "1") { id ... on Product { name price } ... on User { name } } }';
    expect(cost(query)).toBe(1 + 3);
    const union =
      '{ search(text: "x", first: 2) { ... on User { id friends(first: 4) { id } } ... on Product { id } ... on Node { id } } }';
    expect(cost(union)).toBe(1 + 2 * (1 + 1 + 4 + 1));
  });

  it('makes introspection cheap and __typename free', () => {
    expect(cost(getIntrospectionQuery())).toBe(1);
    expect(cost('{ __typename product(id: "1") { __typename id } }')).toBe(2);
    expect(cost('{ __type(name: "Product") { name } }', {}, { introspectionCost: 0 })).toBe(0);
  });

  it('honours @skip and @include with known conditions', () => {
    expect(cost('{ heavy product(id: "1") @skip(if: true) { id } }')).toBe(1);
    expect(cost('query ($on: Boolean!) { heavy product(id: "1") @include(if: $on) { id } }', { on: false })).toBe(1);
    expect(cost('query ($on: Boolean!) { heavy product(id: "1") @include(if: $on) { id } }', { on: true })).toBe(3);
  });

  it('prices the named operation, or the most expensive one', () => {
    const document =
      'query A { heavy } query B { products(first: 3) { id } } mutation C { createProduct(name: "x") { id } }';
    expect(cost(document, {}, {}, 'A')).toBe(1);
    expect(cost(document, {}, {}, 'C')).toBe(2);
    expect(cost(document)).toBe(4);
    expect(cost(document, {}, {}, 'missing')).toBe(0);
  });

  it('survives fragment cycles and unknown fields', () => {
    expect(cost('{ product(id: "1") { ...A } } fragment A on Product { id ...A }')).toBe(2);
    expect(cost('{ nope { x y } }')).toBe(1);
  });

  it('rejects bad options at resolve time', () => {
    expect(() => resolveQueryCostOptions({ defaultFieldCost: -1 })).toThrow(
      'defaultFieldCost must be a non-negative number',
    );
    expect(() => resolveQueryCostOptions({ fieldCosts: { heavy: 3 } })).toThrow(
      '"heavy" is not a Type.field coordinate',
    );
    expect(() => createQueryCostCalculator({ fieldCosts: { 'Query.heavy': { listSize: Number.NaN } } })).toThrow(
      'listSize',
    );
  });

  it('a calculator built once gives the same numbers', () => {
    const calculate = createQueryCostCalculator({ defaultListSize: 4 });
    const document = parse('{ products { id name } }');
    expect(calculate(schema, document)).toBe(1 + 4 * 2);
    expect(calculate(schema, document, null)).toBe(computeQueryCost(schema, document, null, { defaultListSize: 4 }));
  });
});
