import type { Plugin } from 'graphql-yoga';
import { useGetMethodPolicy } from '../../../src/plugins/http/use-get-method-policy';
import { startCatalogGateway, type CatalogGateway } from '../../bff/catalog-gateway';

const PRODUCT = '{ getProduct(id: "p1") { id name } }';
const CUSTOMER = '{ getCustomer(id: "1") { id name } }';
const PRODUCT_PRICE = '9be1640988109a93992bd0d2d5796aaf87693bda5ae4ead5c03a18535fafc20c';
const CSRF = { 'x-graphql-csrf': '1' };
const API_KEY = { 'x-api-key': 'get-cache-test-key-0001' };

/** `public, max-age=N` or `private, max-age=N` as [scope, N]. */
function parseCacheControl(value: string | null): [string, number] | undefined {
  const match = /^(public|private), max-age=(\d+)$/.exec(value ?? '');
  return match ? [match[1], Number(match[2])] : undefined;
}

describe('GET queries answer with Cache-Control from the response cache', () => {
  let demo: CatalogGateway;

  beforeAll(async () => {
    demo = await startCatalogGateway(
      {
        get: './test/plugins/cache/fixtures/bff-get-cache.ts',
        short: './test/plugins/cache/fixtures/bff-get-cache-short.ts',
      },
      { socket: true },
    );
  });
  afterAll(async () => {
    await demo?.close();
  });
  beforeEach(() => demo.backend.calls.reset());

  const get = (bff: string, params: Record<string, string> | string, headers: Record<string, string> = {}) =>
    demo.gateway.fetch(`/${bff}/graphql?${typeof params === 'string' ? params : new URLSearchParams(params)}`, {
      headers: { accept: 'application/json', ...headers },
    });

  it('sends public, max-age on a MISS and on the HIT after it, with Vary and a weak ETag; one upstream call', async () => {
    const miss = await get('get', { query: PRODUCT }, CSRF);
    expect(miss.status).toBe(200);
    expect(await miss.json()).toEqual({ data: { getProduct: { id: 'p1', name: expect.any(String) } } });
    expect(miss.headers.get('x-loom-cache')).toBe('MISS');
    const [missScope, missAge] = parseCacheControl(miss.headers.get('cache-control'))!;
    expect(missScope).toBe('public');
    expect(missAge).toBeGreaterThan(20);
    expect(missAge).toBeLessThanOrEqual(30);
    expect(miss.headers.get('vary')?.toLowerCase()).toContain('accept, accept-language');
    const etag = miss.headers.get('etag');
    expect(etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);

    const hit = await get('get', { query: PRODUCT }, CSRF);
    expect(hit.headers.get('x-loom-cache')).toBe('HIT');
    const [hitScope, hitAge] = parseCacheControl(hit.headers.get('cache-control'))!;
    expect(hitScope).toBe('public');
    expect(hitAge).toBeLessThanOrEqual(missAge);
    expect(hit.headers.get('etag')).toBe(etag);
    expect(demo.backend.calls.count('getProduct')).toBe(1);
  });

  it('answers 304 without a body when If-None-Match names the current ETag, 200 otherwise', async () => {
    const first = await get('get', { query: '{ getProduct(id: "p2") { id } }' }, CSRF);
    const etag = first.headers.get('etag')!;
    const revalidated = await get(
      'get',
      { query: '{ getProduct(id: "p2") { id } }' },
      { ...CSRF, 'if-none-match': etag },
    );
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(parseCacheControl(revalidated.headers.get('cache-control'))?.[0]).toBe('public');
    const changed = await get(
      'get',
      { query: '{ getProduct(id: "p2") { id } }' },
      { ...CSRF, 'if-none-match': 'W/"something-else"' },
    );
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ data: { getProduct: { id: 'p2' } } });
  });

  it('takes max-age from each BFF its own TTLs: 30 s on one, 2 s for a Product and 5 s otherwise on another', async () => {
    const product = await get('short', { query: PRODUCT });
    const [, productAge] = parseCacheControl(product.headers.get('cache-control'))!;
    expect(productAge).toBeGreaterThanOrEqual(0);
    expect(productAge).toBeLessThanOrEqual(2);
    const customer = await get('short', { query: CUSTOMER });
    const [scope, customerAge] = parseCacheControl(customer.headers.get('cache-control'))!;
    expect(scope).toBe('public');
    expect(customerAge).toBeGreaterThan(2);
    expect(customerAge).toBeLessThanOrEqual(5);
  });

  it('caches persisted operations sent by id over GET like any query', async () => {
    const params = {
      extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: PRODUCT_PRICE } }),
      variables: JSON.stringify({ id: 'p3' }),
    };
    const miss = await get('short', params);
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-loom-cache')).toBe('MISS');
    expect(parseCacheControl(miss.headers.get('cache-control'))?.[0]).toBe('public');
    const hit = await get('short', params);
    expect(hit.headers.get('x-loom-cache')).toBe('HIT');
    expect(demo.backend.calls.count('getProduct')).toBe(1);
  });

  it('keeps answers for an identity or in private scope out of shared caches', async () => {
    // Anonymous private-scope answers are not cached at all: no-store.
    const anonymous = await get('get', { query: CUSTOMER }, CSRF);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
    expect(anonymous.headers.get('etag')).toBeNull();
    // The same query for a caller with a key is that caller's entry: private.
    const keyed = await get('get', { query: CUSTOMER }, { ...CSRF, ...API_KEY });
    expect(parseCacheControl(keyed.headers.get('cache-control'))?.[0]).toBe('private');
    // Even a public query answered for an identity is private: the BFF's auth ran for it.
    const keyedProduct = await get('get', { query: '{ getProduct(id: "p4") { id } }' }, { ...CSRF, ...API_KEY });
    expect(parseCacheControl(keyedProduct.headers.get('cache-control'))?.[0]).toBe('private');
  });

  it('sends no-store on answers with errors and on refusals, and nothing extra on POSTs', async () => {
    const failing = await get('get', { query: '{ getProduct(id: "missing") { id } }' }, CSRF);
    expect((await failing.json()).errors?.length).toBeGreaterThan(0);
    expect(failing.headers.get('cache-control')).toBe('no-store');
    const invalid = await get('get', { query: '{ nope }' }, CSRF);
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('cache-control')).toBe('no-store');
    const posted = await demo.gateway.query('short', { query: PRODUCT });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('cache-control')).toBeNull();
  });

  it('refuses a mutation over GET with 405 METHOD_NOT_ALLOWED and Allow: POST, nothing sent upstream', async () => {
    const mutation = 'mutation { createProduct(input: { name: "x", price: 1, currency: USD }) { id } }';
    for (const [bff, headers] of [
      ['short', {}],
      ['get', CSRF],
    ] as const) {
      const refused = await get(bff, { query: mutation }, headers);
      expect(refused.status).toBe(405);
      expect(refused.headers.get('allow')).toBe('POST');
      expect(await refused.json()).toEqual({
        errors: [
          {
            message: 'A mutation must be sent as a POST request, not a GET',
            extensions: { code: 'METHOD_NOT_ALLOWED' },
          },
        ],
      });
    }
    // Picking the mutation out of a document with a query too is refused the same way.
    const mixed = await get('short', {
      query: `query Q { __typename } ${mutation.replace('mutation', 'mutation M')}`,
      operationName: 'M',
    });
    expect(mixed.status).toBe(405);
    expect(demo.backend.calls.count('createProduct')).toBe(0);
  });

  it('keeps CSRF rules: a GET without the header is still 403 on a browser BFF, and allowed on a native one', async () => {
    const refused = await get('get', { query: PRODUCT });
    expect(refused.status).toBe(403);
    expect((await refused.json()).errors[0].extensions.code).toBe('FORBIDDEN');
    const mutation = await get('get', { query: 'mutation { ping { ok } }' });
    expect(mutation.status).toBe(403);
    expect((await get('short', { query: PRODUCT })).status).toBe(200);
    expect(demo.backend.calls.count('getProduct')).toBeLessThanOrEqual(1);
  });

  describe('hostile GETs', () => {
    it('refuses a query string past the header limit before anything runs', async () => {
      const huge = await get('short', { query: `{ ${'__typename '.repeat(20_000)}}` });
      expect(huge.status).toBe(431);
      expect(demo.backend.calls.count()).toBe(0);
    });

    it('refuses bad percent-encoding, duplicated parameters and garbage variables with 400 and no-store', async () => {
      const cases: Array<[string, string]> = [
        [`query=${'%FF%FE'}{getProduct(id:"p1"){id}}`, 'GRAPHQL_PARSE_FAILED'],
        [`query=%E0%A4%A`, 'GRAPHQL_PARSE_FAILED'],
        [`query=${encodeURIComponent(PRODUCT)}&query=${encodeURIComponent(CUSTOMER)}`, 'BAD_REQUEST'],
        [`query=${encodeURIComponent(PRODUCT)}&operationName=A&operationName=B`, 'BAD_REQUEST'],
        [
          `query=${encodeURIComponent('query P($id: String!) { getProduct(id: $id) { id } }')}&variables={not json`,
          'BAD_REQUEST',
        ],
        [
          `query=${encodeURIComponent('query P($id: String!) { getProduct(id: $id) { id } }')}&variables=[1,2]`,
          'BAD_REQUEST',
        ],
        [`extensions=%7Bnope`, 'BAD_REQUEST'],
        [``, 'PERSISTED_QUERY_NOT_FOUND'],
      ];
      for (const [params, code] of cases) {
        const response = await get('short', params);
        const body = await response.json();
        expect([params, response.status, body.errors?.[0]?.extensions?.code]).toEqual([params, 400, code]);
        expect(response.headers.get('cache-control')).toBe('no-store');
      }
      expect(demo.backend.calls.count()).toBe(0);
    });
  });
});

// Compile-time: the GET policy is a plain Yoga plugin.
const _typed: Plugin = useGetMethodPolicy();
