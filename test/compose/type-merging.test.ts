import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import type { RunningBackend } from '../../demo/http-backend';
import type { SourceOptions } from '../../src/config/types';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';
import { startCrmBackend } from '../fixtures/compose/crm-graphql-backend';
import { startOrdersTestBackend } from '../fixtures/compose/orders-backend';
import type { GraphqlBackend } from '../fixtures/compose/serve-yoga';

describe('type merging: the catalog and a renamed GraphQL CRM both describe Customer (key id)', () => {
  let catalog: CatalogBackend;
  let orders: RunningBackend;
  let crm: GraphqlBackend;
  let gateway: TestGateway;

  const sources = (crmMerge: boolean): SourceOptions[] => [
    {
      name: 'catalog',
      kind: 'openapi',
      spec: './sources/catalog/openapi.yaml',
      endpoint: catalog.url,
      merge: { Customer: { key: 'id', resolveWith: 'getCustomer' } },
    },
    { name: 'orders', kind: 'openapi', spec: './test/fixtures/compose/orders-openapi.yaml', endpoint: orders.url },
    {
      name: 'crm',
      kind: 'graphql',
      endpoint: crm.url,
      // The CRM calls it Client: renamed to Customer, root fields prefixed.
      rename: { types: { Client: 'Customer' }, rootFieldPrefix: 'crm_' },
      ...(crmMerge && { merge: { Customer: { key: 'id', resolveWith: 'crm_client' } } }),
    },
  ];

  beforeAll(async () => {
    [catalog, orders, crm] = await Promise.all([startCatalogBackend(), startOrdersTestBackend(), startCrmBackend()]);
    gateway = await startTestGateway({
      sources: sources(true),
      links: [{ field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' } }],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([catalog?.close(), orders?.close(), crm?.close()]);
  });
  beforeEach(() => {
    catalog.calls.reset();
    orders.calls.reset();
    crm.calls.reset();
  });

  it('resolves a list of orders with customer fields from both sources in one call per source', async () => {
    const { body } = await gateway.query('web', {
      query: '{ listOrders(limit: 8) { id customer { id name loyaltyPoints segment } } }',
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.listOrders[0]).toEqual({
      id: 'o1',
      customer: { id: '1', name: 'Customer 1', loyaltyPoints: 100, segment: 'gold' },
    });
    expect(body.data?.listOrders[3]).toEqual({
      id: 'o4',
      customer: { id: '4', name: 'Customer 4', loyaltyPoints: 400, segment: 'silver' },
    });
    expect(body.data?.listOrders[7].customer.loyaltyPoints).toBe(800);
    expect(orders.calls.count()).toBe(1);
    expect(catalog.calls.snapshot()).toEqual({ listCustomers: 1 });
    // crm_client(id) is a single lookup, but the CRM's clientsByIds batch endpoint is found and used.
    expect(crm.calls.snapshot()).toEqual({ clientsByIds: 1 });
  });

  it('answers null with MISSING_KEY for the merged fields of an entity one source does not know', async () => {
    const { body } = await gateway.query('web', {
      query: '{ listOrders(limit: 10) { customer { id name loyaltyPoints } } }',
    });
    expect(body.data?.listOrders[8]).toEqual({ customer: { id: '9', name: 'Customer 9', loyaltyPoints: null } });
    expect(body.data?.listOrders[7]).toEqual({ customer: { id: '8', name: 'Customer 8', loyaltyPoints: 800 } });
    expect(body.data?.listOrders[9]).toEqual({ customer: { id: '10', name: 'Customer 10', loyaltyPoints: null } });
    expect(
      body.data?.listOrders.filter(
        (order: { customer: { loyaltyPoints: number | null } }) => order.customer.loyaltyPoints === null,
      ),
    ).toHaveLength(2);
    // Only the two unknown keys are reported. (The error path is the batch's first parent: graphql-tools
    // relocates merged-type errors with the path of the first caller of a batched link.)
    const reported = new Set(
      body.errors?.map((error) => `${error.extensions?.code} ${error.extensions?.source} ${error.extensions?.key}`),
    );
    expect([...reported].sort()).toEqual(['MISSING_KEY crm 10', 'MISSING_KEY crm 9']);
  });

  it('merges the other way too: from the renamed CRM root field to catalog fields', async () => {
    const { body } = await gateway.query('web', { query: '{ crm_client(id: "3") { id loyaltyPoints name tier } }' });
    expect(body).toEqual({
      data: { crm_client: { id: '3', loyaltyPoints: 300, name: 'Customer 3', tier: expect.any(String) } },
    });
    expect(crm.calls.snapshot()).toEqual({ client: 1 });
    expect(catalog.calls.snapshot()).toEqual({ listCustomers: 1 });
  });

  it('fetches merged fields of a root field from the other source (not answered by one source alone)', async () => {
    const { body } = await gateway.query('web', { query: '{ getCustomer(id: "2") { name loyaltyPoints } }' });
    expect(body).toEqual({ data: { getCustomer: { name: 'Customer 2', loyaltyPoints: 200 } } });
    expect(catalog.calls.snapshot()).toEqual({ getCustomer: 1 });
    expect(crm.calls.snapshot()).toEqual({ clientsByIds: 1 });
  });

  it('fails composition when only one side declares the merge', async () => {
    await expect(
      startTestGateway({ sources: sources(false), bffs: { web: './test/fixtures/bff/open.ts' } }),
    ).rejects.toThrow(
      `sources "catalog" and "crm" both export type Customer; add a rename rule (rename.typePrefix or rename.types) to one of them, or declare Customer in both sources' merge to merge it`,
    );
  });

  it('fails composition when a merge names a lookup the source does not have', async () => {
    const broken = sources(true).map((source) =>
      source.name === 'crm' ? { ...source, merge: { Customer: { key: 'id', resolveWith: 'client' } } } : source,
    );
    await expect(startTestGateway({ sources: broken, bffs: { web: './test/fixtures/bff/open.ts' } })).rejects.toThrow(
      'source "crm": merge.Customer: the source has no query field "client" returning Customer',
    );
  });
});
