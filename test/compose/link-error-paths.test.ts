import { startCatalogBackend } from '../../demo/catalog-backend';
import type { LinkConfig } from '../../src/compose/link-config';
import { startOrdersTestBackend } from '../fixtures/compose/orders-backend';
import { startLinkedGateway } from '../fixtures/compose/linked-gateway';

/** Issue 18: an error of a linked field is reported at the path of the item whose call failed. */
async function queryWithFailingItems(links: LinkConfig[], query: string) {
  const catalog = await startCatalogBackend();
  // Orders 3 and 5 (indexes 2 and 4) point at customers the catalog does not know: getCustomer answers 404.
  const orders = await startOrdersTestBackend({ unknownCustomerOnOrders: [3, 5] });
  const gateway = await startLinkedGateway(catalog, orders, links);
  try {
    return { ...(await gateway.query('web', { query })), calls: catalog.calls.snapshot() };
  } finally {
    await gateway.close();
    await Promise.all([catalog.close(), orders.close()]);
  }
}

describe('errors on linked fields carry the path of the failing item', () => {
  it('without a batch endpoint: items 2 and 4 fail at their own paths, the others keep their data', async () => {
    const { body, calls } = await queryWithFailingItems(
      [{ field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' }, batch: 'off' }],
      '{ listOrders(limit: 5) { id customer { id } } }',
    );
    expect(body.data?.listOrders).toEqual([
      { id: 'o1', customer: { id: '1' } },
      { id: 'o2', customer: { id: '2' } },
      { id: 'o3', customer: null },
      { id: 'o4', customer: { id: '4' } },
      { id: 'o5', customer: null },
    ]);
    expect(body.errors?.map((error) => error.path)).toEqual([
      ['listOrders', 2, 'customer'],
      ['listOrders', 4, 'customer'],
    ]);
    for (const error of body.errors ?? [])
      expect(error.extensions).toMatchObject({ source: 'catalog', upstreamStatus: 404 });
    expect(calls).toEqual({ getCustomer: 5 });
  });

  it('with a batch endpoint: the unknown keys are MISSING_KEY at their own paths', async () => {
    const { body, calls } = await queryWithFailingItems(
      [{ field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' } }],
      '{ listOrders(limit: 5) { id customer { id } } }',
    );
    expect(body.data?.listOrders.map((order: { customer: unknown }) => order.customer)).toEqual([
      { id: '1' },
      { id: '2' },
      null,
      { id: '4' },
      null,
    ]);
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['listOrders', 2, 'customer'],
        extensions: expect.objectContaining({ code: 'MISSING_KEY', key: 'unknown-3' }),
      }),
      expect.objectContaining({
        path: ['listOrders', 4, 'customer'],
        extensions: expect.objectContaining({ code: 'MISSING_KEY', key: 'unknown-5' }),
      }),
    ]);
    expect(calls).toEqual({ listCustomers: 1 });
  });
});
