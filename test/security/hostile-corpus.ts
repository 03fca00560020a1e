import { SignJWT } from 'jose';
import { CORPUS_ISSUER, CORPUS_JWT_SECRET } from './fixtures/secure-bff';
import { IOT_KEY } from '../bff/catalog-gateway';

/**
 * Hostile requests, each with the answer Loom must give. None may reach an
 * upstream. BFFs: `web`, `mobile`, `iot` are the demo files; `secure` is
 * test/security/fixtures/secure-bff.ts (required auth, introspection off,
 * tight limits); `blocked` allows only 10.0.0.0/8.
 *
 * Hostile queries never select `getProduct`: the normal traffic that runs
 * alongside uses it, so its upstream call count tells the two apart.
 *
 * Attacks that are not one request live beside their code: slow and surplus
 * connections (slowloris) in test/server/http-server-limits.test.ts, floods
 * of open subscriptions in test/plugins/rate-limit/subscriptions-over-sse.test.ts.
 */
export interface HostileRequest {
  readonly name: string;
  readonly bff: 'web' | 'mobile' | 'iot' | 'secure' | 'blocked';
  readonly method?: 'GET' | 'POST';
  /** Query string for GET (without '?'). */
  readonly search?: string;
  readonly headers?: Record<string, string>;
  /** A JSON value (serialized here), or raw bytes sent as they are. */
  readonly body?: unknown;
  readonly rawBody?: Buffer;
  /** Send the body with Transfer-Encoding: chunked and no Content-Length. */
  readonly chunked?: boolean;
  readonly expectStatus: number;
  /**
   * `extensions.code` one of the errors must carry; undefined when the answer
   * has no GraphQL body (415, 405) or graphql-js gives the error no code
   * (variable coercion).
   */
  readonly expectCode?: string;
  /** The answer must not hint at real field names. */
  readonly expectNoSuggestion?: boolean;
}

const json = { 'content-type': 'application/json' };
const repeat = (count: number, make: (index: number) => string, separator = ' ') =>
  Array.from({ length: count }, (_, index) => make(index)).join(separator);
const post = (bff: HostileRequest['bff'], query: string, extra: Partial<HostileRequest> = {}) => ({
  bff,
  body: { query },
  headers: json,
  ...extra,
});

async function corpusToken(
  options: { issuer?: string; secret?: string; expiresAt?: number | 'never'; alg?: 'HS256' | 'HS512' } = {},
): Promise<string> {
  const token = new SignJWT({ scope: 'all' })
    .setProtectedHeader({ alg: options.alg ?? 'HS256' })
    .setSubject('corpus-user')
    .setIssuer(options.issuer ?? CORPUS_ISSUER);
  if (options.expiresAt !== 'never') token.setExpirationTime(options.expiresAt ?? '5m');
  return token.sign(new TextEncoder().encode(options.secret ?? CORPUS_JWT_SECRET));
}

function unsignedToken(): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'root', iss: CORPUS_ISSUER, exp: Math.floor(Date.now() / 1000) + 300 })}.`;
}

/** A valid credential for the `secure` BFF, so its non-auth rejections are tested past authentication. */
export const secureAuth = async () => ({ ...json, authorization: `Bearer ${await corpusToken()}` });

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

export async function buildHostileCorpus(): Promise<HostileRequest[]> {
  const auth = await secureAuth();
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
    // Oversized bodies
    {
      name: 'body: 300 KB JSON with Content-Length',
      bff: 'web',
      headers: json,
      body: { query: '{ __typename }', extensions: { pad: 'p'.repeat(300_000) } },
      expectStatus: 413,
      expectCode: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'body: 300 KB chunked without Content-Length',
      bff: 'web',
      headers: json,
      chunked: true,
      body: { query: '{ __typename }', extensions: { pad: 'p'.repeat(300_000) } },
      expectStatus: 413,
      expectCode: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'body: 20 KB chunked on secure',
      bff: 'secure',
      headers: auth,
      chunked: true,
      body: { query: '{ __typename }', extensions: { pad: 'p'.repeat(20_000) } },
      expectStatus: 413,
      expectCode: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'body: 40 KB query string on GET (header limit)',
      bff: 'mobile',
      method: 'GET',
      search: `query=${encodeURIComponent(`{ listProducts(limit: 1) { id } } #${'q'.repeat(40_000)}`)}`,
      expectStatus: 431,
    },
    {
      name: 'body: alias flood over GET',
      bff: 'mobile',
      method: 'GET',
      search: `query=${encodeURIComponent(`{ ${repeat(20, (index) => `a${index}: listProducts(limit: 1) { id }`)} }`)}`,
      expectStatus: 400,
      expectCode: 'ALIAS_LIMIT_EXCEEDED',
    },
    // Malformed JSON
    {
      name: 'json: truncated body',
      bff: 'web',
      headers: json,
      rawBody: Buffer.from('{"query": "{ listCustomers { id '),
      expectStatus: 400,
      expectCode: 'BAD_REQUEST',
    },
    {
      name: 'json: null body',
      bff: 'web',
      headers: json,
      rawBody: Buffer.from('null'),
      expectStatus: 400,
      expectCode: 'BAD_REQUEST',
    },
    {
      name: 'json: a bare string',
      bff: 'mobile',
      headers: json,
      rawBody: Buffer.from('"{ listCustomers { id } }"'),
      expectStatus: 400,
      expectCode: 'BAD_REQUEST',
    },
    {
      name: 'json: query is a number',
      bff: 'web',
      headers: json,
      body: { query: 42 },
      expectStatus: 400,
      expectCode: 'BAD_REQUEST',
    },
    {
      name: 'json: unparsable GraphQL',
      ...post('web', '{ listCustomers { id '),
      expectStatus: 400,
      expectCode: 'GRAPHQL_PARSE_FAILED',
    },
    // Wrong content types
    {
      name: 'content-type: text/plain on web (CSRF)',
      bff: 'web',
      headers: { 'content-type': 'text/plain' },
      rawBody: Buffer.from('{"query":"{ listCustomers { id } }"}'),
      expectStatus: 403,
      expectCode: 'FORBIDDEN',
    },
    {
      name: 'content-type: form POST mutation on web (CSRF)',
      bff: 'web',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: Buffer.from(
        `query=${encodeURIComponent('mutation { createProduct(input: { name: "x", price: 1, currency: EUR }) { id } }')}`,
      ),
      expectStatus: 403,
      expectCode: 'FORBIDDEN',
    },
    {
      name: 'content-type: application/xml on mobile',
      bff: 'mobile',
      headers: { 'content-type': 'application/xml' },
      rawBody: Buffer.from('<query>{ listProducts { id } }</query>'),
      expectStatus: 415,
    },
    {
      name: 'content-type: none on mobile',
      bff: 'mobile',
      rawBody: Buffer.from('{"query":"{ listProducts(limit: 1) { id } }"}'),
      expectStatus: 415,
    },
    // Invalid UTF-8
    {
      name: 'utf-8: invalid bytes inside a string',
      bff: 'web',
      headers: json,
      rawBody: Buffer.concat([
        Buffer.from('{"query":"{ getCustomer(id: \\"'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('\\") { id } }"}'),
      ]),
      expectStatus: 400,
      expectCode: 'BAD_REQUEST',
    },
    {
      name: 'utf-8: overlong encoding of "/"',
      bff: 'mobile',
      headers: json,
      rawBody: Buffer.concat([
        Buffer.from('{"query":"{ getCustomer(id: \\"'),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from('\\") { id } }"}'),
      ]),
      expectStatus: 400,
      expectCode: 'BAD_REQUEST',
    },
    {
      name: 'utf-8: truncated multi-byte sequence at the end',
      bff: 'web',
      headers: json,
      rawBody: Buffer.concat([Buffer.from('{"query":"{ __typename }"}'), Buffer.from([0xe2, 0x82])]),
      expectStatus: 400,
      expectCode: 'BAD_REQUEST',
    },
    // Unknown operations
    {
      name: 'operations: unknown operationName',
      bff: 'web',
      headers: json,
      body: { query: 'query A { listCustomers { id } }', operationName: 'B' },
      expectStatus: 400,
      expectCode: 'OPERATION_RESOLUTION_FAILURE',
    },
    {
      name: 'operations: several operations, no name',
      ...post('web', 'query A { listCustomers { id } } query B { listCustomers { name } }'),
      expectStatus: 400,
      expectCode: 'OPERATION_RESOLUTION_FAILURE',
    },
    {
      name: 'operations: no query at all',
      bff: 'web',
      headers: json,
      body: { operationName: 'A', variables: { id: '1' } },
      expectStatus: 400,
      expectCode: 'BAD_REQUEST',
    },
    {
      name: 'operations: mutation over GET',
      bff: 'mobile',
      method: 'GET',
      search: `query=${encodeURIComponent('mutation { createProduct(input: { name: "x", price: 1, currency: EUR }) { id } }')}`,
      expectStatus: 405,
    },
    {
      name: 'operations: GET without CSRF header on web',
      bff: 'web',
      method: 'GET',
      search: `query=${encodeURIComponent('{ listCustomers { id } }')}`,
      expectStatus: 403,
      expectCode: 'FORBIDDEN',
    },
    {
      name: 'operations: raw query on persisted-only iot',
      ...post('iot', '{ listProducts { id name } }', { headers: { ...json, ...IOT_KEY } }),
      expectStatus: 400,
      expectCode: 'PERSISTED_QUERY_NOT_FOUND',
    },
    {
      name: 'auth: iot call without its API key',
      ...post('iot', '{ listProducts { id name } }'),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    {
      name: 'auth: anonymous mutation on web',
      ...post('web', 'mutation { createProduct(input: { name: "x", price: 1, currency: EUR }) { id } }'),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
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
    // JWTs and API keys
    {
      name: 'jwt: alg none',
      ...post('secure', '{ listCustomers { id } }', {
        headers: { ...json, authorization: `Bearer ${unsignedToken()}` },
      }),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    {
      name: 'jwt: expired',
      ...post('secure', '{ listCustomers { id } }', {
        headers: {
          ...json,
          authorization: `Bearer ${await corpusToken({ expiresAt: Math.floor(Date.now() / 1000) - 600 })}`,
        },
      }),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    {
      name: 'jwt: wrong issuer',
      ...post('secure', '{ listCustomers { id } }', {
        headers: { ...json, authorization: `Bearer ${await corpusToken({ issuer: 'https://evil.test' })}` },
      }),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    {
      name: 'jwt: wrong key',
      ...post('secure', '{ listCustomers { id } }', {
        headers: {
          ...json,
          authorization: `Bearer ${await corpusToken({ secret: 'attacker-chosen-secret-0123456789abcdef' })}`,
        },
      }),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    {
      name: 'jwt: right secret, HS512 not allowed',
      ...post('secure', '{ listCustomers { id } }', {
        headers: { ...json, authorization: `Bearer ${await corpusToken({ alg: 'HS512' })}` },
      }),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    {
      name: 'jwt: valid signature, no exp claim',
      ...post('secure', '{ listCustomers { id } }', {
        headers: { ...json, authorization: `Bearer ${await corpusToken({ expiresAt: 'never' })}` },
      }),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    {
      name: 'jwt: signature stripped',
      ...post('secure', '{ listCustomers { id } }', {
        headers: { ...json, authorization: `Bearer ${(await corpusToken()).replace(/\.[^.]+$/, '.')}` },
      }),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    {
      name: 'auth: no credentials',
      ...post('secure', '{ listCustomers { id } }'),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    {
      name: 'auth: unknown API key',
      ...post('secure', '{ listCustomers { id } }', { headers: { ...json, 'x-api-key': 'guessed-key-0000000000000' } }),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    {
      name: 'auth: Basic credentials',
      ...post('secure', '{ listCustomers { id } }', { headers: { ...json, authorization: 'Basic cm9vdDpyb290' } }),
      expectStatus: 401,
      expectCode: 'UNAUTHENTICATED',
    },
    // The same refusals for clients that accept only application/json (Yoga's legacy mode would answer 200)
    {
      name: 'accept: validation refusal, application/json only',
      ...post('web', '{ listCustomers { nope } }', { headers: { ...json, accept: 'application/json' } }),
      expectStatus: 400,
      expectCode: 'GRAPHQL_VALIDATION_FAILED',
    },
    {
      name: 'accept: parse refusal, application/json only',
      ...post('web', '{ listCustomers { id ', { headers: { ...json, accept: 'application/json' } }),
      expectStatus: 400,
      expectCode: 'GRAPHQL_PARSE_FAILED',
    },
    {
      name: 'accept: depth bomb, application/json only',
      ...post('web', `{ getCustomer(id: "1") { ${'... on Customer { '.repeat(40)}id${' }'.repeat(40)} } }`, {
        headers: { ...json, accept: 'application/json' },
      }),
      expectStatus: 400,
      expectCode: 'DEPTH_LIMIT_EXCEEDED',
    },
    {
      name: 'accept: introspection on secure, application/json only',
      ...post('secure', '{ __schema { types { name } } }', { headers: { ...auth, accept: 'application/json' } }),
      expectStatus: 400,
      expectCode: 'INTROSPECTION_DISABLED',
    },
    {
      name: 'accept: misspelled field on secure, any type',
      ...post('secure', '{ getCustomr(id: "1") { id } }', { headers: { ...auth, accept: '*/*' } }),
      expectStatus: 400,
      expectCode: 'GRAPHQL_VALIDATION_FAILED',
      expectNoSuggestion: true,
    },
    {
      name: 'accept: truncated JSON body, application/json only',
      bff: 'web',
      headers: { ...json, accept: 'application/json' },
      rawBody: Buffer.from('{"query": "{ listCustomers { id '),
      expectStatus: 400,
      expectCode: 'BAD_REQUEST',
    },
    {
      name: 'accept: mutation over GET, application/json only',
      bff: 'mobile',
      method: 'GET',
      headers: { accept: 'application/json' },
      search: `query=${encodeURIComponent('mutation { createProduct(input: { name: "x", price: 1, currency: EUR }) { id } }')}`,
      expectStatus: 405,
    },
    // Network
    {
      name: 'ip: caller outside the allowlist',
      ...post('blocked', '{ listCustomers { id } }'),
      expectStatus: 403,
      expectCode: 'FORBIDDEN',
    },
  ];
}
