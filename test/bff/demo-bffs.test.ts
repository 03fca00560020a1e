import { isObjectType, printSchema } from 'graphql';
import { DEMO_BFFS, IOT_KEY, startCatalogGateway, type CatalogGateway } from './catalog-gateway';

/** What each demo client (bff/web.ts, bff/mobile.ts, bff/iot.ts) exposes and refuses, over the demo catalog. */
describe('demo BFFs over the catalog', () => {
  let demo: CatalogGateway;

  beforeAll(async () => {
    demo = await startCatalogGateway(DEMO_BFFS);
  });
  afterAll(async () => {
    await demo?.close();
  });
  beforeEach(() => demo.backend.calls.reset());

  const rootFields = (bff: string, operation: 'Query' | 'Mutation') => {
    const type = demo.gateway.gateway.bffs.get(bff)?.schema.getType(operation);
    return isObjectType(type) ? Object.keys(type.getFields()).sort() : [];
  };

  it('serves each BFF at /<name>/graphql from one process', () => {
    expect([...demo.gateway.gateway.bffs.values()].map((bff) => bff.endpoint)).toEqual([
      '/web/graphql',
      '/mobile/graphql',
      '/iot/graphql',
    ]);
  });

  it('web: the whole graph, admin mutation and internal fields included', async () => {
    expect(rootFields('web', 'Query')).toEqual(['getCustomer', 'getProduct', 'listCustomers', 'listProducts']);
    expect(rootFields('web', 'Mutation')).toEqual(['createProduct']);
    const { status, body } = await demo.gateway.query('web', {
      query: '{ listCustomers { id note } getCustomer(id: "1") { note } }',
    });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.listCustomers).toHaveLength(50);
    expect(demo.backend.calls.count('listCustomers')).toBe(1);
  });

  it('mobile: no admin mutation, no internal field, no unbounded list', () => {
    expect(rootFields('mobile', 'Query')).toEqual(['getCustomer', 'getProduct', 'listProducts']);
    expect(demo.gateway.gateway.bffs.get('mobile')?.schema.getMutationType()).toBeUndefined();
    const customer = demo.gateway.gateway.bffs.get('mobile')?.schema.getType('Customer')?.toConfig() as {
      fields: object;
    };
    expect(Object.keys(customer.fields)).toEqual(['id', 'name', 'email', 'tier']);
  });

  it('mobile refuses the admin mutation without calling upstream', async () => {
    const { body } = await demo.gateway.query('mobile', {
      query: 'mutation { createProduct(input: { name: "x", price: 1, currency: EUR }) { id } }',
    });
    expect(body.data).toBeNull();
    expect(body.errors?.map((error) => error.message)).toEqual([
      'Schema is not configured to execute mutation operation.',
    ]);
    expect(demo.backend.calls.count()).toBe(0);
  });

  it.each([
    ['{ getCustomer(id: "1") { note } }', 'Cannot query field "note" on type "Customer".'],
    ['{ listCustomers { id } }', 'Cannot query field "listCustomers" on type "Query".'],
  ])('mobile refuses %s before any upstream call', async (query, message) => {
    const { status, body } = await demo.gateway.query('mobile', { query });
    expect(status).toBe(400);
    expect(body.errors?.[0].message.startsWith(message)).toBe(true);
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(demo.backend.calls.count()).toBe(0);
  });

  it('mobile: answers its queries, with a shorter default page that the app may override', async () => {
    const { body } = await demo.gateway.query('mobile', {
      query: '{ getCustomer(id: "2") { id name } listProducts { id } }',
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.getCustomer).toEqual({ id: '2', name: 'Customer 2' });
    expect(body.data?.listProducts).toHaveLength(10);
    const more = await demo.gateway.query('mobile', { query: '{ listProducts(limit: 12) { id } }' });
    expect(more.body.data?.listProducts).toHaveLength(12);
    expect(demo.backend.calls.snapshot()).toEqual({ getCustomer: 1, listProducts: 2 });
  });

  it.each([
    [
      'a null bound',
      '{ listProducts(limit: null) { id } }',
      'Query.listProducts(limit:) is required: this list is bounded',
    ],
    [
      'a bound over the cap',
      '{ listProducts(limit: 101) { id } }',
      'Query.listProducts(limit:) asks for 101 items; the most allowed is 100',
    ],
    [
      'a negative bound',
      '{ listProducts(limit: -1) { id } }',
      'Query.listProducts(limit:) must be a non-negative list size, got -1',
    ],
  ])(
    'mobile: bounded lists need a bound, capped: refuses %s with BAD_USER_INPUT before any upstream call',
    async (_name, query, message) => {
      const { status, body } = await demo.gateway.query('mobile', { query });
      expect(status).toBe(400);
      expect(body).toEqual({
        errors: [{ message, extensions: { code: 'BAD_USER_INPUT', argument: 'Query.listProducts(limit:)' } }],
      });
      expect(demo.backend.calls.count()).toBe(0);
    },
  );

  it('mobile SDL is strictly smaller than web SDL, and iot smaller still', () => {
    const sdl = (bff: string) => printSchema(demo.gateway.gateway.bffs.get(bff)!.schema);
    expect(sdl('mobile').length).toBeLessThan(sdl('web').length);
    expect(sdl('iot').length).toBeLessThan(sdl('mobile').length);
    expect(sdl('web')).toContain('note: String');
    expect(sdl('mobile')).not.toContain('note');
    expect(sdl('mobile')).not.toContain('createProduct');
  });

  it('iot: a few product fields, a fixed short list, and raw queries refused', async () => {
    expect(rootFields('iot', 'Query')).toEqual(['getProduct', 'listProducts']);
    expect(demo.gateway.gateway.bffs.get('iot')?.schema.getType('Customer')).toBeUndefined();
    const { status, body } = await demo.gateway.query('iot', { query: '{ getProduct(id: "p1") { id } }' }, IOT_KEY);
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(demo.backend.calls.count()).toBe(0);
  });
});
