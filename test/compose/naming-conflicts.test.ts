import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import type { RunningBackend } from '../../demo/http-backend';
import { startTestGateway } from '../helpers/test-gateway';
import { startOrdersTestBackend } from '../fixtures/compose/orders-backend';

describe('naming conflicts between sources', () => {
  let catalog: CatalogBackend;
  let orders: RunningBackend;
  beforeAll(async () => {
    catalog = await startCatalogBackend();
    orders = await startOrdersTestBackend();
  });
  afterAll(async () => {
    await Promise.all([catalog?.close(), orders?.close()]);
  });

  const catalogSource = (name: string, rename?: object) => ({
    name,
    kind: 'openapi' as const,
    spec: './sources/catalog/openapi.yaml',
    endpoint: catalog.url,
    ...(rename && { rename }),
  });

  it('fails composition when two sources export the same root field, naming both and the way out', async () => {
    await expect(
      startTestGateway({
        sources: [catalogSource('catalog'), catalogSource('legacy')],
        bffs: { web: './test/fixtures/bff/open.ts' },
      }),
    ).rejects.toThrow(
      'sources "catalog" and "legacy" both export root field Query.listProducts; add a rename rule (rename.rootFieldPrefix or rename.rootFields) to one of them',
    );
  });

  it('reports every clash at once, one line each, when only the types clash', async () => {
    const rootsRenamed = catalogSource('legacy', { rootFieldPrefix: 'legacy_' });
    const failure = await startTestGateway({
      sources: [catalogSource('catalog'), rootsRenamed],
      bffs: { web: './test/fixtures/bff/open.ts' },
    }).then(
      () => undefined,
      (error: Error) => error,
    );
    const lines = failure?.message.split('\n') ?? [];
    const clashed = lines.map(
      (line) =>
        /^sources "catalog" and "legacy" both export type (\w+); add a rename rule \(rename\.typePrefix or rename\.types\) to one of them, or declare \1 in both sources' merge to merge it$/.exec(
          line,
        )?.[1],
    );
    expect(clashed).not.toContain(undefined);
    expect(clashed).toEqual(expect.arrayContaining(['Customer', 'Product', 'PhysicalDelivery', 'DigitalDelivery']));
  });

  it('composes when a rename rule resolves the clash, and links still work on the renamed source', async () => {
    const gateway = await startTestGateway({
      sources: [
        catalogSource('catalog'),
        catalogSource('legacy', { rootFieldPrefix: 'legacy_', typePrefix: 'Legacy' }),
        { name: 'orders', kind: 'openapi', spec: './test/fixtures/compose/orders-openapi.yaml', endpoint: orders.url },
      ],
      links: [{ field: 'Order.legacyCustomer', resolveWith: 'legacy_getCustomer', args: { id: '$source.customerId' } }],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    try {
      catalog.calls.reset();
      const { body } = await gateway.query('web', {
        query:
          '{ legacy_getCustomer(id: "2") { __typename name } getCustomer(id: "2") { __typename name } listOrders(limit: 10) { legacyCustomer { __typename id } } }',
      });
      expect(body.errors).toBeUndefined();
      expect(body.data?.legacy_getCustomer).toEqual({ __typename: 'LegacyCustomer', name: 'Customer 2' });
      expect(body.data?.getCustomer).toEqual({ __typename: 'Customer', name: 'Customer 2' });
      expect(body.data?.listOrders[9]).toEqual({ legacyCustomer: { __typename: 'LegacyCustomer', id: '10' } });
      // renamed batch endpoint found through the renamed schema: 1 batch call for 10 orders
      expect(catalog.calls.snapshot()).toEqual({ getCustomer: 2, listCustomers: 1 });
    } finally {
      await gateway.close();
    }
  });
});
