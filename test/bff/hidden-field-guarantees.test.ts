import { startCatalogGateway, type CatalogGateway } from './catalog-gateway';

/**
 * A field or type hidden from a BFF cannot be reached through it by any means.
 * The gateway runs in production: mobile has introspection off.
 */
describe('hidden fields and types stay hidden', () => {
  let demo: CatalogGateway;

  beforeAll(async () => {
    demo = await startCatalogGateway(
      {
        mobile: './bff/mobile.ts',
        'mobile-introspectable': './test/fixtures/bff/mobile-introspectable.ts',
        'no-physical': './test/fixtures/bff/no-physical-delivery.ts',
      },
      { production: true },
    );
  });
  afterAll(async () => {
    await demo?.close();
  });
  beforeEach(() => demo.backend.calls.reset());

  it.each([
    ['directly', '{ getCustomer(id: "1") { note } }'],
    ['through an alias', '{ getCustomer(id: "1") { id internal: note } }'],
    ['through a named fragment', 'query { getCustomer(id: "1") { ...C } } fragment C on Customer { id note }'],
    ['through an inline fragment', '{ getCustomer(id: "1") { ... on Customer { note } } }'],
    [
      'through nested fragments and __typename',
      '{ __typename getCustomer(id: "1") { __typename ...A } } fragment A on Customer { ...B } fragment B on Customer { note }',
    ],
    ['through a hidden list field', '{ listCustomers { id } }'],
  ])('Customer.note and listCustomers are unreachable on mobile %s', async (_how, query) => {
    const { status, body } = await demo.gateway.query('mobile', { query });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(demo.backend.calls.count()).toBe(0);
  });

  it('mobile in production suggests no field names', async () => {
    const { body } = await demo.gateway.query('mobile', {
      query: '{ getCustomer(id: "1") { nam } listCustomer { id } }',
    });
    expect(body.errors?.map((error) => error.message)).toEqual([
      'Cannot query field "nam" on type "Customer".',
      'Cannot query field "listCustomer" on type "Query".',
    ]);
  });

  it.each([
    ['__schema', '{ __schema { types { name } } }'],
    ['an aliased __schema', '{ s: __schema { queryType { name } } }'],
    ['__type in a fragment', 'query { ...T } fragment T on Query { __type(name: "Customer") { fields { name } } }'],
  ])('mobile in production rejects %s with INTROSPECTION_DISABLED / 400', async (_how, query) => {
    const { status, body } = await demo.gateway.query('mobile', { query });
    expect(status).toBe(400);
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['INTROSPECTION_DISABLED']);
    expect(body.errors?.[0].message).toMatch(
      /^Introspection is disabled on "mobile" \(the query asked for __(schema|type)\)$/,
    );
  });

  it('mobile in production still answers __typename', async () => {
    const { body } = await demo.gateway.query('mobile', {
      query: '{ __typename getCustomer(id: "1") { __typename id } }',
    });
    expect(body).toEqual({ data: { __typename: 'Query', getCustomer: { __typename: 'Customer', id: '1' } } });
  });

  it('introspection, where allowed, shows only the view', async () => {
    const { body } = await demo.gateway.query('mobile-introspectable', {
      query: `{ customer: __type(name: "Customer") { fields { name } }
        mutation: __schema { mutationType { name } }
        types: __schema { types { name } queryType { fields { name args { name defaultValue } } } } }`,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.customer.fields.map((field: { name: string }) => field.name)).toEqual([
      'id',
      'name',
      'email',
      'tier',
    ]);
    expect(body.data?.mutation.mutationType).toBeNull();
    const queryFields = body.data?.types.queryType.fields as Array<{
      name: string;
      args: Array<{ name: string; defaultValue: string | null }>;
    }>;
    expect(queryFields.map((field) => field.name)).toEqual(['listProducts', 'getProduct', 'getCustomer']);
    expect(queryFields.find((field) => field.name === 'listProducts')?.args).toEqual([
      { name: 'limit', defaultValue: '10' },
      { name: 'tag', defaultValue: null },
    ]);
    expect(body.data?.types.types.map((type: { name: string }) => type.name)).not.toContain('NewProduct_Input');
  });

  it('a hidden union member is unreachable by inline fragment, __type or __typename', async () => {
    const fragment = await demo.gateway.query('no-physical', {
      query: '{ listProducts(limit: 3) { id delivery { ... on PhysicalDelivery { weightGrams } } } }',
    });
    expect(fragment.status).toBe(400);
    expect(fragment.body.errors?.[0].message.startsWith('Unknown type "PhysicalDelivery".')).toBe(true);
    const introspected = await demo.gateway.query('no-physical', {
      query: '{ __type(name: "PhysicalDelivery") { name } }',
    });
    expect(introspected.body).toEqual({ data: { __type: null } });
    const typename = await demo.gateway.query('no-physical', {
      query: '{ listProducts(limit: 3) { id delivery { __typename } } }',
    });
    expect(typename.body.data?.listProducts).toEqual([
      { id: 'p1', delivery: null },
      { id: 'p2', delivery: { __typename: 'DigitalDelivery' } },
      { id: 'p3', delivery: null },
    ]);
    expect(JSON.stringify(typename.body)).not.toContain('Physical');
  });
});
