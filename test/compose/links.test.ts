import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import type { RunningBackend } from '../../demo/http-backend';
import type { LinkConfig } from '../../src/compose/link-config';
import type { TestGateway } from '../helpers/test-gateway';
import { startOrdersTestBackend } from '../fixtures/compose/orders-backend';
import { startLinkedGateway as startGatewayWithLinks } from '../fixtures/compose/linked-gateway';

const LINKS: LinkConfig[] = [
  { field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' } },
  { field: 'Order.products', resolveWith: 'getProduct', args: { id: '$source.productIds' } },
  { field: 'Order.stock', resolveWith: 'getStock', args: { region: '$source.region', sku: '$source.sku' } },
];

const startLinkedGateway = (catalog: CatalogBackend, orders: RunningBackend, links: LinkConfig[] = LINKS) =>
  startGatewayWithLinks(catalog, orders, links);

describe('links across sources', () => {
  let catalog: CatalogBackend;
  let orders: RunningBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    catalog = await startCatalogBackend();
    orders = await startOrdersTestBackend();
    gateway = await startLinkedGateway(catalog, orders);
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([catalog?.close(), orders?.close()]);
  });
  beforeEach(() => {
    catalog.calls.reset();
    orders.calls.reset();
  });

  it('resolves 20 orders with their customer in 2 upstream calls through the detected batch endpoint', async () => {
    const { body } = await gateway.query('web', { query: '{ listOrders(limit: 20) { id customer { name tier } } }' });
    expect(body.errors).toBeUndefined();
    expect(body.data?.listOrders).toHaveLength(20);
    expect(body.data?.listOrders[0]).toEqual({ id: 'o1', customer: { name: 'Customer 1', tier: 'standard' } });
    expect(body.data?.listOrders[13]).toEqual({ id: 'o14', customer: { name: 'Customer 4', tier: 'standard' } });
    expect(orders.calls.count()).toBe(1);
    expect(catalog.calls.snapshot()).toEqual({ listCustomers: 1 });
  });

  it('matches batch results by key, whatever order the batch endpoint answers in', async () => {
    const { body } = await gateway.query('web', { query: '{ listOrders(limit: 10) { customerId customer { id } } }' });
    for (const order of body.data?.listOrders ?? []) expect(order.customer.id).toBe(order.customerId);
  });

  it('resolves a list link with no batch endpoint with one call per distinct key, concurrently and deduplicated', async () => {
    const { body } = await gateway.query('web', { query: '{ listOrders(limit: 20) { id products { id name } } }' });
    expect(body.errors).toBeUndefined();
    expect(body.data?.listOrders[0].products).toEqual([
      { id: 'p1', name: 'Product 1' },
      { id: 'p2', name: 'Product 2' },
    ]);
    // 40 product references over 5 distinct ids
    expect(catalog.calls.snapshot()).toEqual({ getProduct: 5 });
  });

  it('resolves a composite key (region + sku), one call per distinct pair', async () => {
    const { body } = await gateway.query('web', {
      query: '{ listOrders(limit: 20) { region sku stock { region sku quantity } } }',
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.listOrders[0]).toEqual({
      region: 'eu',
      sku: 'sku0',
      stock: { region: 'eu', sku: 'sku0', quantity: 20 },
    });
    expect(orders.calls.count('getStock')).toBe(6);
  });

  it('needs no key field in the client selection and keeps aliases', async () => {
    const { body } = await gateway.query('web', {
      query: '{ listOrders(limit: 2) { buyer: customer { label: name } } }',
    });
    expect(body).toEqual({
      data: { listOrders: [{ buyer: { label: 'Customer 1' } }, { buyer: { label: 'Customer 2' } }] },
    });
  });
});

describe('links with missing keys and forced modes', () => {
  it('answers null with MISSING_KEY on that item only', async () => {
    const catalog = await startCatalogBackend();
    const orders = await startOrdersTestBackend({ missingCustomerOnOrder: 3 });
    const gateway = await startLinkedGateway(catalog, orders);
    try {
      const { body } = await gateway.query('web', { query: '{ listOrders(limit: 4) { id customer { id } } }' });
      expect(body.data?.listOrders).toEqual([
        { id: 'o1', customer: { id: '1' } },
        { id: 'o2', customer: { id: '2' } },
        { id: 'o3', customer: null },
        { id: 'o4', customer: { id: '4' } },
      ]);
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['listOrders', 2, 'customer'],
          extensions: { code: 'MISSING_KEY', source: 'catalog', key: '999' },
        }),
      ]);
      expect(catalog.calls.snapshot()).toEqual({ listCustomers: 1 });
    } finally {
      await gateway.close();
      await Promise.all([catalog.close(), orders.close()]);
    }
  });

  it("with batch: 'off' makes one call per distinct key instead", async () => {
    const catalog = await startCatalogBackend();
    const orders = await startOrdersTestBackend();
    const gateway = await startLinkedGateway(catalog, orders, [
      { field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' }, batch: 'off' },
    ]);
    try {
      const { body } = await gateway.query('web', { query: '{ listOrders(limit: 20) { customer { id } } }' });
      expect(body.errors).toBeUndefined();
      expect(catalog.calls.snapshot()).toEqual({ getCustomer: 10 });
    } finally {
      await gateway.close();
      await Promise.all([catalog.close(), orders.close()]);
    }
  });

  it("fails start-up when batch is 'force' and no batch endpoint exists", async () => {
    const catalog = await startCatalogBackend();
    const orders = await startOrdersTestBackend();
    try {
      await expect(
        startLinkedGateway(catalog, orders, [
          { field: 'Order.products', resolveWith: 'getProduct', args: { id: '$source.productIds' }, batch: 'force' },
        ]),
      ).rejects.toThrow(
        `link Order.products: batch is 'force' but source "catalog" has no batch endpoint for Product (set batchWith)`,
      );
    } finally {
      await Promise.all([catalog.close(), orders.close()]);
    }
  });

  it.each([
    [
      { field: 'Order', resolveWith: 'getCustomer', args: { id: '$source.customerId' } },
      'link "Order": field must be written Type.field, got "Order"',
    ],
    [
      { field: 'Order.customer', resolveWith: 'getNobody', args: { id: '$source.customerId' } },
      'link Order.customer: no source has a query field "getNobody"',
    ],
    [
      { field: 'Order.customer', resolveWith: 'getCustomer', args: { nope: '$source.customerId' } },
      'link Order.customer: getCustomer has no argument "nope"',
    ],
    [
      { field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.buyer' } },
      'link Order.customer: type Order has no field "buyer"',
    ],
  ])('rejects a bad link at start-up: %j', async (link, message) => {
    const catalog = await startCatalogBackend();
    const orders = await startOrdersTestBackend();
    try {
      await expect(startLinkedGateway(catalog, orders, [link as LinkConfig])).rejects.toThrow(message);
    } finally {
      await Promise.all([catalog.close(), orders.close()]);
    }
  });
});
