import type { CatalogBackend } from '../../demo/catalog-backend';
import { encodePathSegment } from '../../src/handlers/openapi/encode-path-arguments';
import { requestTargetOf } from '../../src/upstream/create-http-client';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import type { TestGateway } from '../helpers/test-gateway';

const GET_PRODUCT = 'query($id: String!) { getProduct(id: $id) { __typename ... on Product { id name } } }';

/**
 * A path parameter is one segment (RFC 6570 simple expansion): whatever the
 * client sends, the demo catalog sees GET /products/<one encoded segment> and
 * no other route is reached.
 */
describe('OpenAPI path parameters are encoded as one segment', () => {
  let catalog: CatalogUnderTest;
  let backend: CatalogBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    catalog = await startCatalogUnderTest();
    ({ backend, gateway } = catalog);
  });
  afterAll(async () => {
    await catalog?.close();
  });
  beforeEach(() => {
    backend.calls.reset();
    backend.requestLines.length = 0;
  });

  it('still serves an ordinary id', async () => {
    const { body } = await gateway.query('web', { query: GET_PRODUCT, variables: { id: 'p1' } });
    expect(body).toEqual({ data: { getProduct: { __typename: 'Product', id: 'p1', name: expect.any(String) } } });
    expect(backend.requestLines).toEqual(['GET /products/p1']);
  });

  it.each([
    ['a traversal to another collection', '../customers/3', '/products/..%2Fcustomers%2F3'],
    ['a slash', 'p1/extra', '/products/p1%2Fextra'],
    ['a query string injection', '1?ids=2&x=', '/products/1%3Fids%3D2%26x%3D'],
    ['a fragment', 'p1#frag', '/products/p1%23frag'],
    ['a whole ".." segment', '..', '/products/%2E%2E'],
    ['a whole "." segment', '.', '/products/%2E'],
    ['an encoded traversal', '%2e%2e/', '/products/%252e%252e%2F'],
    ['an encoded traversal to customers', '%2e%2e%2fcustomers%2f3', '/products/%252e%252e%252fcustomers%252f3'],
    ['an already-encoded id', 'p%31', '/products/p%2531'],
    ['unicode', 'café ☕', '/products/caf%C3%A9%20%E2%98%95'],
    ['RFC 6570 reserved characters', "p1!'()*;,", '/products/p1%21%27%28%29%2A%3B%2C'],
  ])('sends %s as one segment', async (_label, id, expectedPath) => {
    const { body } = await gateway.query('web', { query: GET_PRODUCT, variables: { id } });
    expect(backend.requestLines).toEqual([`GET ${expectedPath}`]);
    // No product has such an id: the catalog answers 404 and no customer route ran.
    expect(body.data).toEqual({ getProduct: null });
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_HTTP_ERROR', upstreamStatus: 404 });
    expect(
      backend.calls.count('getCustomer') + backend.calls.count('listCustomers') + backend.calls.count('listProducts'),
    ).toBe(0);
  });

  it('refuses an empty id, which would collapse into the collection route, as BAD_USER_INPUT', async () => {
    const { body } = await gateway.query('web', { query: GET_PRODUCT, variables: { id: '' } });
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(backend.requestLines).toEqual([]);
  });

  it('refuses a lone surrogate as BAD_USER_INPUT without calling the backend', async () => {
    const { body } = await gateway.query('web', { query: GET_PRODUCT, variables: { id: 'p\uD800' } });
    expect(body.data).toEqual({ getProduct: null });
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(backend.requestLines).toEqual([]);
  });
});

describe('encodePathSegment and requestTargetOf', () => {
  it('encodes all but unreserved characters, and whole dot segments', () => {
    expect(encodePathSegment('a-b_c.d~e')).toBe('a-b_c.d~e');
    expect(encodePathSegment('...')).toBe('...');
    expect(encodePathSegment('..')).toBe('%2E%2E');
    expect(encodePathSegment('.')).toBe('%2E');
    expect(encodePathSegment("a/b?c#d%e f!'()*+,;=:@&$")).toBe(
      'a%2Fb%3Fc%23d%25e%20f%21%27%28%29%2A%2B%2C%3B%3D%3A%40%26%24',
    );
    expect(encodePathSegment('日本')).toBe('%E6%97%A5%E6%9C%AC');
  });

  it('keeps the request target as written: no dot-segment resolution, no fragment', () => {
    expect(requestTargetOf('http://127.0.0.1:80/products/%2E%2E')).toBe('/products/%2E%2E');
    expect(requestTargetOf('http://h/a/../b?x=1#frag')).toBe('/a/../b?x=1');
    expect(requestTargetOf('http://h')).toBe('/');
    expect(requestTargetOf('http://h?x=1')).toBe('/?x=1');
    expect(requestTargetOf('http://h/a b/é')).toBe('/a%20b/%C3%A9');
  });
});
