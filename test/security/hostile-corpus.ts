import { IOT_KEY } from '../bff/catalog-gateway';
import { hostileDocuments } from './hostile-documents';
import { corpusToken, json, post, repeat, secureAuth, unsignedToken, type HostileRequest } from './hostile-request';

export { secureAuth, type HostileRequest } from './hostile-request';

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
export async function buildHostileCorpus(): Promise<HostileRequest[]> {
  const auth = await secureAuth();
  return [
    ...hostileDocuments(auth),
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
