import { parse } from 'graphql';
import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import type { RunningBackend } from '../../demo/http-backend';
import type { TestGateway } from '../helpers/test-gateway';
import { startLinkedGateway } from '../fixtures/compose/linked-gateway';
import { startOrdersTestBackend } from '../fixtures/compose/orders-backend';

describe('operations one source answers alone skip delegation', () => {
  let catalog: CatalogBackend;
  let orders: RunningBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    catalog = await startCatalogBackend();
    orders = await startOrdersTestBackend();
    gateway = await startLinkedGateway(
      catalog,
      orders,
      [{ field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' } }],
      { rootFieldPrefix: 'shop_' },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([catalog?.close(), orders?.close()]);
  });

  const routeOf = (query: string) => gateway.gateway.composed.directRouter.route(parse(query))?.source.name;

  it.each([
    ['one root field of an untransformed source', '{ getCustomer(id: "1") { id name } }', 'catalog'],
    [
      'fragments and __typename',
      '{ listProducts(limit: 1) { __typename ...P } } fragment P on Product { id delivery { ... on PhysicalDelivery { weightGrams } } }',
      'catalog',
    ],
    ['a mutation', 'mutation { createProduct(input: { name: "x", price: 1, currency: EUR }) { id } }', 'catalog'],
  ])('routes %s directly', (_case, query, source) => {
    expect(routeOf(query)).toBe(source);
  });

  it.each([
    [
      'two root fields (one upstream call each, as delegation counts them)',
      '{ a: getCustomer(id: "1") { id } b: getCustomer(id: "2") { id } }',
    ],
    ['a renamed source', '{ shop_listOrders(limit: 1) { id } }'],
    ['a link field', '{ shop_listOrders(limit: 1) { customer { id } } }'],
    ['an introspection-only operation', '{ __typename }'],
    ['a @defer (the gateway sends the parts)', '{ getCustomer(id: "1") { id ... @defer { name } } }'],
    ['a @stream in a fragment', '{ listProducts(limit: 2) { ...P } } fragment P on Product { tags @stream }'],
  ])('delegates %s', (_case, query) => {
    expect(routeOf(query)).toBeUndefined();
  });

  it('answers the same data and the same error shape either way', async () => {
    const direct = await gateway.query('web', { query: '{ getCustomer(id: "999") { id } }' });
    const delegatedQuery = '{ getCustomer(id: "999") { id } getProduct(id: "p1") { id } }';
    expect(routeOf(delegatedQuery)).toBeUndefined();
    const delegated = await gateway.query('web', { query: delegatedQuery });
    expect(delegated.body.data).toEqual({ getCustomer: null, getProduct: { id: 'p1' } });
    expect(direct.body.errors).toEqual(delegated.body.errors);
    expect(direct.body.errors?.[0]).toEqual({
      message: 'Source "catalog" answered HTTP 404',
      path: ['getCustomer'],
      extensions: {
        code: 'UPSTREAM_HTTP_ERROR',
        source: 'catalog',
        upstreamStatus: 404,
        upstream: { body: { code: 'NOT_FOUND', message: 'customer 999 not found' } },
      },
    });
    const ok = await gateway.query('web', { query: '{ getCustomer(id: "3") { id name tier } }' });
    expect(ok.body).toEqual({ data: { getCustomer: { id: '3', name: 'Customer 3', tier: 'platinum' } } });
  });
});
