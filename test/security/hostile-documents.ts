import { IOT_KEY } from '../bff/catalog-gateway';
import { json, post, repeat, type HostileRequest } from './hostile-request';

const fragmentChain = (length: number) =>
  `{ getCustomer(id: "1") { ...F0 } } ${repeat(length, (index) => `fragment F${index} on Customer { ${index === length - 1 ? 'id' : `...F${index + 1}`} }`)}`;
const fragmentBomb = (levels: number) =>
  `{ listCustomers { ...B${levels} } } fragment B0 on Customer { id name email } ${repeat(levels, (index) => `fragment B${index + 1} on Customer { ...B${index} ...B${index} }`)}`;

/** Issue 25: three fragments of `width` spreads each (5.5 KB at 300); re-walked per spread, it froze the process for minutes. */
const spreadBomb = (width: number) => {
  const spreads = (name: string) => repeat(width, () => `...${name}`);
  return `{ ...F0 } fragment F0 on Query { ${spreads('F1')} } fragment F1 on Query { ${spreads('F2')} } fragment F2 on Query { ${spreads('F3')} } fragment F3 on Query { listProducts { id } }`;
};
const distinctFragments = (count: number) =>
  `{ getCustomer(id: "1") { ${repeat(count, (index) => `...C${index}`)} } } ${repeat(count, (index) => `fragment C${index} on Customer { id }`)}`;
const ofTypes = (levels: number) => `${'ofType { '.repeat(levels)}name${' }'.repeat(levels)}`;

/** Attacks on the document and its variables: depth, aliases, fragments, directives, sizes, batches, introspection, suggestions, cost. */
export function hostileDocuments(auth: Record<string, string>): HostileRequest[] {
  const deepArray = (levels: number) => JSON.parse(`${'['.repeat(levels)}"1"${']'.repeat(levels)}`) as unknown;
  return [
    // Depth bombs
    {
      name: 'depth: 40 nested inline fragments',
      ...post('web', `{ getCustomer(id: "1") { ${'... on Customer { '.repeat(40)}id${' }'.repeat(40)} } }`),
      expectStatus: 400,
      expectCode: 'DEPTH_LIMIT_EXCEEDED',
    },
    {
      name: 'depth: 15-fragment spread chain',
      ...post('web', fragmentChain(15)),
      expectStatus: 400,
      expectCode: 'DEPTH_LIMIT_EXCEEDED',
    },
    {
      name: 'depth: 60 nested unknown fields',
      ...post('web', `{ listCustomers { ${'a { '.repeat(60)}b${' }'.repeat(60)} } }`),
      expectStatus: 400,
      expectCode: 'DEPTH_LIMIT_EXCEEDED',
    },
    {
      name: 'depth: secure BFF, 8 nested inline fragments',
      ...post('secure', `{ getCustomer(id: "1") { ${'... on Customer { '.repeat(8)}id${' }'.repeat(8)} } }`, {
        headers: auth,
      }),
      expectStatus: 400,
      expectCode: 'DEPTH_LIMIT_EXCEEDED',
    },
    // Alias floods
    {
      name: 'aliases: 100 aliased root fields',
      ...post('web', `{ ${repeat(100, (index) => `a${index}: getCustomer(id: "1") { id }`)} }`),
      expectStatus: 400,
      expectCode: 'ALIAS_LIMIT_EXCEEDED',
    },
    {
      name: 'aliases: 50 aliases inside a list',
      ...post('web', `{ listCustomers { ${repeat(50, (index) => `a${index}: id`)} } }`),
      expectStatus: 400,
      expectCode: 'ALIAS_LIMIT_EXCEEDED',
    },
    {
      name: 'aliases: 20 aliased mutations',
      ...post(
        'web',
        `mutation { ${repeat(20, (index) => `m${index}: createProduct(input: { name: "x", price: 1, currency: EUR }) { id }`)} }`,
      ),
      expectStatus: 400,
      expectCode: 'ALIAS_LIMIT_EXCEEDED',
    },
    {
      name: 'aliases: 1000 __typename aliases (token limit)',
      ...post('web', `{ ${repeat(1000, (index) => `t${index}: __typename`)} }`),
      expectStatus: 400,
      expectCode: 'TOKEN_LIMIT_EXCEEDED',
    },
    {
      name: 'aliases: secure BFF, 6 aliases',
      ...post('secure', `{ ${repeat(6, (index) => `c${index}: getCustomer(id: "1") { id }`)} }`, { headers: auth }),
      expectStatus: 400,
      expectCode: 'ALIAS_LIMIT_EXCEEDED',
    },
    // Fragment cycles and bombs
    {
      name: 'fragments: two-fragment cycle',
      ...post(
        'web',
        '{ getCustomer(id: "1") { ...A } } fragment A on Customer { id ...B } fragment B on Customer { name ...A }',
      ),
      expectStatus: 400,
      expectCode: 'GRAPHQL_VALIDATION_FAILED',
    },
    {
      name: 'fragments: self-spreading fragment',
      ...post('web', '{ getCustomer(id: "1") { ...A } } fragment A on Customer { ...A }'),
      expectStatus: 400,
      expectCode: 'GRAPHQL_VALIDATION_FAILED',
    },
    {
      name: 'fragments: 30-level doubling fragment bomb',
      ...post('web', fragmentBomb(30)),
      expectStatus: 400,
      expectCode: 'DEPTH_LIMIT_EXCEEDED',
    },
    {
      name: 'fragments: 3-level bomb under the depth limit (cost)',
      ...post(
        'web',
        `{ listProducts(limit: 1000) { ...P3 } } fragment P0 on Product { id name price } ${repeat(3, (index) => `fragment P${index + 1} on Product { ...P${index} ...P${index} }`)}`,
      ),
      expectStatus: 400,
      expectCode: 'COST_LIMIT_EXCEEDED',
    },
    {
      name: 'fragments: 5.5 KB spread bomb, 3 x 300 spreads (cost)',
      ...post('web', spreadBomb(300)),
      expectStatus: 400,
      expectCode: 'COST_LIMIT_EXCEEDED',
    },
    {
      name: 'fragments: 5.5 KB spread bomb on mobile (token limit)',
      ...post('mobile', spreadBomb(300)),
      expectStatus: 400,
      expectCode: 'TOKEN_LIMIT_EXCEEDED',
    },
    {
      name: 'fragments: 120 distinct fragments spread',
      ...post('web', distinctFragments(120)),
      expectStatus: 400,
      expectCode: 'FRAGMENT_SPREAD_LIMIT_EXCEEDED',
    },
    {
      name: 'fragments: unknown fragment spread',
      ...post('web', '{ getCustomer(id: "1") { ...Nope } }'),
      expectStatus: 400,
      expectCode: 'GRAPHQL_VALIDATION_FAILED',
    },
    // Directive floods
    {
      name: 'directives: 100 @skip on one field',
      ...post('web', `{ getCustomer(id: "1") { id ${repeat(100, () => '@skip(if: false)')} } }`),
      expectStatus: 400,
      expectCode: 'DIRECTIVE_LIMIT_EXCEEDED',
    },
    {
      name: 'directives: 200 unknown directives',
      ...post('web', `{ getCustomer(id: "1") { id ${repeat(200, (index) => `@d${index}`)} } }`),
      expectStatus: 400,
      expectCode: 'DIRECTIVE_LIMIT_EXCEEDED',
    },
    {
      name: 'directives: secure BFF, 6 directives across fields',
      ...post('secure', `{ getCustomer(id: "1") { ${repeat(6, (index) => `f${index}: id @include(if: true)`)} } }`, {
        headers: auth,
      }),
      expectStatus: 400,
      expectCode: 'DIRECTIVE_LIMIT_EXCEEDED',
    },
    // Huge string literals
    {
      name: 'strings: 200 KB string literal',
      ...post('web', `{ getCustomer(id: "${'x'.repeat(200_000)}") { id } }`),
      expectStatus: 413,
      expectCode: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'strings: 200 KB string variable',
      bff: 'web',
      headers: json,
      body: { query: 'query($id: String!) { getCustomer(id: $id) { id } }', variables: { id: 'x'.repeat(200_000) } },
      expectStatus: 413,
      expectCode: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'strings: 10 KB literal on iot',
      ...post('iot', `{ listProducts { id name } } # ${'x'.repeat(10_000)}`),
      expectStatus: 413,
      expectCode: 'PAYLOAD_TOO_LARGE',
    },
    // Deeply nested lists in variables
    {
      name: 'variables: 2000-deep nested list for [String!]',
      bff: 'web',
      headers: json,
      body: {
        query: 'query($ids: [String!]) { listCustomers(ids: $ids) { id } }',
        variables: { ids: deepArray(2000) },
      },
      expectStatus: 400,
    },
    {
      name: 'variables: 60000-deep nested list (body limit)',
      bff: 'web',
      headers: json,
      rawBody: Buffer.from(`{"query":"{ __typename }","variables":{"v":${'['.repeat(60_000)}${']'.repeat(60_000)}}}`),
      expectStatus: 413,
      expectCode: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'variables: object where a list is expected',
      bff: 'web',
      headers: json,
      body: {
        query: 'query($ids: [String!]) { listCustomers(ids: $ids) { id } }',
        variables: { ids: { nested: { deeper: [1, 2, 3] } } },
      },
      expectStatus: 400,
    },
    // Batch abuse
    {
      name: 'batch: 50 operations on web',
      bff: 'web',
      headers: json,
      body: Array.from({ length: 50 }, () => ({ query: '{ listCustomers { id } }' })),
      expectStatus: 400,
      expectCode: 'BATCH_LIMIT_EXCEEDED',
    },
    {
      name: 'batch: 1000 empty operations',
      bff: 'web',
      headers: json,
      body: Array.from({ length: 1000 }, () => ({})),
      expectStatus: 400,
      expectCode: 'BATCH_LIMIT_EXCEEDED',
    },
    {
      name: 'batch: 2 operations on iot (max 1)',
      bff: 'iot',
      headers: { ...json, ...IOT_KEY },
      body: [{ query: '{ listProducts { id } }' }, { query: '{ listProducts { id } }' }],
      expectStatus: 400,
      expectCode: 'BATCH_LIMIT_EXCEEDED',
    },
    {
      name: 'batch: 3 operations on secure (max 2)',
      bff: 'secure',
      headers: auth,
      body: [
        { query: '{ listCustomers { id } }' },
        { query: '{ listCustomers { id } }' },
        { query: '{ listCustomers { id } }' },
      ],
      expectStatus: 400,
      expectCode: 'BATCH_LIMIT_EXCEEDED',
    },
    // Introspection: nested too deep where on, refused where off
    {
      name: 'introspection: 12 nested ofType on web',
      ...post('web', `{ __schema { types { fields { type { ${ofTypes(12)} } } } } }`),
      expectStatus: 400,
      expectCode: 'DEPTH_LIMIT_EXCEEDED',
    },
    {
      name: 'introspection: nesting hidden in fragments on web',
      ...post(
        'web',
        `{ ...I } fragment I on Query { __schema { types { ...T } } } fragment T on __Type { fields { type { ${ofTypes(12)} } } }`,
      ),
      expectStatus: 400,
      expectCode: 'DEPTH_LIMIT_EXCEEDED',
    },
    {
      name: 'introspection: 12 nested ofType in inline fragments on web',
      ...post(
        'web',
        `{ __schema { types { ... on __Type { fields { ... on __Field { type { ${ofTypes(12)} } } } } } } }`,
      ),
      expectStatus: 400,
      expectCode: 'DEPTH_LIMIT_EXCEEDED',
    },
    {
      name: 'introspection: __schema on secure',
      ...post('secure', '{ __schema { types { name fields { name } } } }', { headers: auth }),
      expectStatus: 400,
      expectCode: 'INTROSPECTION_DISABLED',
    },
    {
      name: 'introspection: __type on secure',
      ...post('secure', '{ __type(name: "Customer") { fields { name } } }', { headers: auth }),
      expectStatus: 400,
      expectCode: 'INTROSPECTION_DISABLED',
    },
    {
      name: 'introspection: __schema hidden in a fragment',
      ...post('secure', '{ ...I } fragment I on Query { __schema { queryType { name } } }', { headers: auth }),
      expectStatus: 400,
      expectCode: 'INTROSPECTION_DISABLED',
    },
    // Field-suggestion probing
    {
      name: 'suggestions: misspelled root field',
      ...post('secure', '{ getCustomr(id: "1") { id } }', { headers: auth }),
      expectStatus: 400,
      expectCode: 'GRAPHQL_VALIDATION_FAILED',
      expectNoSuggestion: true,
    },
    {
      name: 'suggestions: misspelled nested field',
      ...post('secure', '{ getCustomer(id: "1") { emai } }', { headers: auth }),
      expectStatus: 400,
      expectCode: 'GRAPHQL_VALIDATION_FAILED',
      expectNoSuggestion: true,
    },
    {
      name: 'suggestions: misspelled argument',
      ...post('secure', '{ getCustomer(idd: "1") { id } }', { headers: auth }),
      expectStatus: 400,
      expectCode: 'GRAPHQL_VALIDATION_FAILED',
      expectNoSuggestion: true,
    },
    {
      name: 'suggestions: misspelled enum value in a variable',
      bff: 'secure',
      headers: auth,
      body: {
        query: 'mutation($input: NewProduct_Input) { createProduct(input: $input) { id } }',
        variables: { input: { name: 'x', price: 1, currency: 'EUX' } },
      },
      expectStatus: 400,
      expectNoSuggestion: true,
    },
    {
      name: 'suggestions: misspelled input field in a variable',
      bff: 'secure',
      headers: auth,
      body: {
        query: 'mutation($input: NewProduct_Input) { createProduct(input: $input) { id } }',
        variables: { input: { nme: 'x', price: 1, currency: 'EUR' } },
      },
      expectStatus: 400,
      expectNoSuggestion: true,
    },
    // Cost
    {
      name: 'cost: list of 100000 on web',
      ...post('web', '{ listProducts(limit: 100000) { id name price } }'),
      expectStatus: 400,
      expectCode: 'COST_LIMIT_EXCEEDED',
    },
    // Cost evasion: sizes priced low that the backend reads as "everything"
    {
      name: 'cost: negative limit on web',
      ...post('web', '{ listProducts(limit: -1) { id name } }'),
      expectStatus: 400,
      expectCode: 'BAD_USER_INPUT',
    },
    {
      name: 'cost: negative limit in a variable on web',
      bff: 'web',
      headers: json,
      body: { query: 'query($n: Int) { listProducts(limit: $n) { id } }', variables: { n: -1000 } },
      expectStatus: 400,
      expectCode: 'BAD_USER_INPUT',
    },
    {
      name: 'cost: absurd limit on web',
      ...post('web', '{ listProducts(limit: 2000000000) { id } }'),
      expectStatus: 400,
      expectCode: 'BAD_USER_INPUT',
    },
    {
      name: 'cost: 6000 ids in a list variable on web',
      bff: 'web',
      headers: json,
      body: {
        query: 'query($ids: [String]) { listCustomers(ids: $ids) { id name } }',
        variables: { ids: Array.from({ length: 6000 }, (_, index) => String(index)) },
      },
      expectStatus: 400,
      expectCode: 'COST_LIMIT_EXCEEDED',
    },
    {
      name: 'cost: null bound on mobile',
      ...post('mobile', '{ listProducts(limit: null) { id } }'),
      expectStatus: 400,
      expectCode: 'BAD_USER_INPUT',
    },
    {
      name: 'cost: null bound in a variable on mobile',
      bff: 'mobile',
      headers: json,
      body: { query: 'query($n: Int) { listProducts(limit: $n) { id } }', variables: { n: null } },
      expectStatus: 400,
      expectCode: 'BAD_USER_INPUT',
    },
    {
      name: 'cost: bound over the cap on mobile',
      ...post('mobile', '{ listProducts(limit: 500) { id } }'),
      expectStatus: 400,
      expectCode: 'BAD_USER_INPUT',
    },
    {
      name: 'cost: negative bound on mobile',
      ...post('mobile', '{ listProducts(limit: -5) { id } }'),
      expectStatus: 400,
      expectCode: 'BAD_USER_INPUT',
    },
  ];
}
