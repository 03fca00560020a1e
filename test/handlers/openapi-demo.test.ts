import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';

describe('OpenAPI source against the demo catalog backend', () => {
  let backend: CatalogBackend;
  let gateway: TestGateway;

  let catalog: CatalogUnderTest;

  beforeAll(async () => {
    catalog = await startCatalogUnderTest({ forwardHeaders: ['x-request-source'] });
    ({ backend, gateway } = catalog);
  });
  afterAll(async () => {
    await catalog?.close();
  });
  beforeEach(() => {
    backend.calls.reset();
    backend.faults.clear();
  });

  it('answers a query with path params, enums and one upstream call', async () => {
    const { status, body } = await gateway.query('web', { query: '{ getCustomer(id: "3") { id name email tier } }' });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { getCustomer: { id: '3', name: 'Customer 3', email: 'customer3@example.test', tier: 'platinum' } },
    });
    expect(backend.calls.count('getCustomer')).toBe(1);
  });

  it('maps query params, arrays, allOf, discriminated oneOf and inline oneOf', async () => {
    const { body } = await gateway.query('web', {
      query: `{ listProducts(limit: 3) { id price currency tags
        delivery { __typename ... on PhysicalDelivery { weightGrams } ... on DigitalDelivery { downloadUrl } }
        promotion { __typename ... on PercentOff { percentOff } ... on AmountOff { amountOff } } } }`,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.listProducts).toEqual([
      {
        id: 'p1',
        price: 9.99,
        currency: 'USD',
        tags: ['physical'],
        delivery: { __typename: 'PhysicalDelivery', weightGrams: 100 },
        promotion: { __typename: 'PercentOff', percentOff: 10 },
      },
      {
        id: 'p2',
        price: 19.98,
        currency: 'EUR',
        tags: ['digital', 'instant'],
        delivery: { __typename: 'DigitalDelivery', downloadUrl: 'https://downloads.example.test/p2' },
        promotion: { __typename: 'AmountOff', amountOff: 2.5 },
      },
      {
        id: 'p3',
        price: 29.97,
        currency: 'EUR',
        tags: ['physical'],
        delivery: { __typename: 'PhysicalDelivery', weightGrams: 300 },
        promotion: null,
      },
    ]);
  });

  it('sends a JSON body on a mutation with the configured API key header', async () => {
    const { body } = await gateway.query('web', {
      query: 'mutation($input: NewProduct_Input!) { createProduct(input: $input) { id name price currency tags } }',
      variables: { input: { name: 'Lamp', price: 12.5, currency: 'EUR', tags: ['home'] } },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.createProduct).toMatchObject({ name: 'Lamp', price: 12.5, currency: 'EUR', tags: ['home'] });
    expect(backend.lastHeaders.get('createProduct')?.['x-api-key']).toBe('test-key');
  });

  it('forwards configured client headers and no others', async () => {
    await gateway.query(
      'web',
      { query: '{ getCustomer(id: "1") { id } }' },
      { 'x-request-source': 'mobile-app', 'x-secret': 'nope' },
    );
    const headers = backend.lastHeaders.get('getCustomer');
    expect(headers?.['x-request-source']).toBe('mobile-app');
    expect(headers?.['x-secret']).toBeUndefined();
  });

  it('turns a 404 into UPSTREAM_HTTP_ERROR on that field and keeps the rest', async () => {
    const { status, body } = await gateway.query('web', {
      query: '{ ok: getCustomer(id: "1") { id } missing: getCustomer(id: "999") { id } }',
    });
    expect(status).toBe(200);
    expect(body.data).toEqual({ ok: { id: '1' }, missing: null });
    expect(body.errors).toEqual([
      {
        message: 'Source "catalog" answered HTTP 404',
        path: ['missing'],
        extensions: {
          code: 'UPSTREAM_HTTP_ERROR',
          source: 'catalog',
          upstreamStatus: 404,
          upstream: { body: { code: 'NOT_FOUND', message: 'customer 999 not found' } },
        },
      },
    ]);
  });

  it('turns a 500 into UPSTREAM_HTTP_ERROR with the status', async () => {
    backend.faults.set('getCustomer', 'http-500');
    const { body } = await gateway.query('web', {
      query: '{ getCustomer(id: "1") { id } listProducts(limit: 1) { id } }',
    });
    expect(body.data).toEqual({ getCustomer: null, listProducts: [{ id: 'p1' }] });
    expect(body.errors?.[0].extensions).toMatchObject({
      code: 'UPSTREAM_HTTP_ERROR',
      source: 'catalog',
      upstreamStatus: 500,
    });
  });

  it('turns a garbage 200 body into UPSTREAM_BAD_RESPONSE without leaking the upstream URL', async () => {
    backend.faults.set('getCustomer', 'garbage');
    const { body } = await gateway.query('web', {
      query: '{ getCustomer(id: "1") { id } listProducts(limit: 1) { id } }',
    });
    expect(body.data).toEqual({ getCustomer: null, listProducts: [{ id: 'p1' }] });
    expect(body.errors?.[0].extensions).toEqual({
      code: 'UPSTREAM_BAD_RESPONSE',
      source: 'catalog',
      upstreamStatus: 200,
    });
    expect(JSON.stringify(body)).not.toContain(backend.url);
  });

  it('turns a reset connection into UPSTREAM_UNAVAILABLE', async () => {
    backend.faults.set('getCustomer', 'reset');
    const { body } = await gateway.query('web', {
      query: '{ getCustomer(id: "1") { id } listProducts(limit: 1) { id } }',
    });
    expect(body.data).toEqual({ getCustomer: null, listProducts: [{ id: 'p1' }] });
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', source: 'catalog' });
  });
});

describe('OpenAPI source with its backend down', () => {
  it('answers UPSTREAM_UNAVAILABLE for connection refused', async () => {
    const backend = await startCatalogBackend();
    const deadUrl = backend.url;
    await backend.close();
    const gateway = await startTestGateway({
      sources: [{ name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: deadUrl }],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    try {
      const { status, body } = await gateway.query('web', { query: '{ getCustomer(id: "1") { id } }' });
      expect(status).toBe(200);
      expect(body.data).toEqual({ getCustomer: null });
      expect(body.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', source: 'catalog' });
      expect(body.errors?.[0].message).toBe('Source "catalog" is unavailable: ECONNREFUSED');
    } finally {
      await gateway.close();
    }
  });
});
