import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import type { RunningBackend } from '../../demo/http-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';
import { startCrmBackend } from '../fixtures/compose/crm-graphql-backend';
import { startOrdersTestBackend } from '../fixtures/compose/orders-backend';
import type { GraphqlBackend } from '../fixtures/compose/serve-yoga';
import { assemble, multipartParts, readAll } from '../bff/defer-stream/defer-gateway';

/**
 * @defer over merged types and a remote GraphQL source (the CRM is a plain
 * Yoga without the defer-stream plugin: a forwarded `@defer` would be an
 * unknown directive there, so a clean answer shows Loom strips it).
 */
describe('@defer over merged types and a remote GraphQL source', () => {
  let catalog: CatalogBackend;
  let orders: RunningBackend;
  let crm: GraphqlBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    [catalog, orders, crm] = await Promise.all([startCatalogBackend(), startOrdersTestBackend(), startCrmBackend()]);
    gateway = await startTestGateway(
      {
        sources: [
          {
            name: 'catalog',
            kind: 'openapi',
            spec: './sources/catalog/openapi.yaml',
            endpoint: catalog.url,
            merge: { Customer: { key: 'id', resolveWith: 'getCustomer' } },
          },
          {
            name: 'orders',
            kind: 'openapi',
            spec: './test/fixtures/compose/orders-openapi.yaml',
            endpoint: orders.url,
          },
          {
            name: 'crm',
            kind: 'graphql',
            endpoint: crm.url,
            rename: { types: { Client: 'Customer' }, rootFieldPrefix: 'crm_' },
            merge: { Customer: { key: 'id', resolveWith: 'crm_client' } },
          },
        ],
        links: [{ field: 'Order.customer', resolveWith: 'getCustomer', args: { id: '$source.customerId' } }],
        bffs: { web: './test/fixtures/bff/defer/open.ts' },
      },
      undefined,
      { socket: true },
    );
  }, 60_000);
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([catalog?.close(), orders?.close(), crm?.close()]);
  });
  beforeEach(() => {
    catalog.calls.reset();
    orders.calls.reset();
    crm.calls.reset();
  });

  const incremental = async (query: string) => {
    const response = await fetch(`${gateway.url}/web/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(200);
    return readAll(await multipartParts(response));
  };
  const whole = async (query: string) => {
    const { body } = await gateway.query('web', { query });
    expect(body.errors).toBeUndefined();
    catalog.calls.reset();
    orders.calls.reset();
    crm.calls.reset();
    return body;
  };

  it('deferred fields of a merged type from both sources, on a list: the same answer, calls batched across the list', async () => {
    const query = '{ listOrders(limit: 8) { id customer { id ... @defer { name loyaltyPoints segment } } } }';
    const expected = await whole(query.replace(' @defer', ''));
    const payloads = await incremental(query);
    expect(payloads[0].data?.listOrders[0]).toEqual({ id: 'o1', customer: { id: '1' } });
    expect(assemble(payloads)).toEqual(expected);
    expect(expected.data?.listOrders[2].customer).toEqual({
      id: '3',
      name: 'Customer 3',
      loyaltyPoints: 300,
      segment: 'gold',
    });
    expect(orders.calls.count()).toBe(1);
    expect(catalog.calls.snapshot()).toEqual({ listCustomers: 1 });
    // Stitching fetches another source's deferred fields one field at a time (README "@defer and
    // @stream"): one batched call per field, whatever the number of orders.
    expect(crm.calls.snapshot()).toEqual({ clientsByIds: 2 });
  });

  it('a deferred merged field the other source does not know: null with MISSING_KEY in that patch only', async () => {
    const payloads = await incremental('{ listOrders(limit: 10) { id customer { id ... @defer { loyaltyPoints } } } }');
    const patches = payloads.flatMap((payload) => payload.incremental ?? []);
    const failed = patches.filter((patch) => patch.errors?.length);
    expect(failed.map((patch) => patch.path)).toEqual([
      ['listOrders', 8, 'customer'],
      ['listOrders', 9, 'customer'],
    ]);
    expect(failed.map((patch) => [patch.data, patch.errors?.[0].extensions?.code])).toEqual([
      [{ loyaltyPoints: null }, 'MISSING_KEY'],
      [{ loyaltyPoints: null }, 'MISSING_KEY'],
    ]);
    expect(assemble(payloads).data.listOrders[7].customer).toEqual({ id: '8', loyaltyPoints: 800 });
    expect(crm.calls.snapshot()).toEqual({ clientsByIds: 1 });
  });

  it('a deferred fragment on a remote GraphQL root field: the source gets no @defer, the data is right', async () => {
    const payloads = await incremental(
      '{ crm_client(id: "2") { id ... @defer(label: "crm") { loyaltyPoints segment } } }',
    );
    expect(payloads).toEqual([
      { data: { crm_client: { id: '2' } }, hasNext: true },
      {
        incremental: [{ data: { loyaltyPoints: 200, segment: 'silver' }, path: ['crm_client'], label: 'crm' }],
        hasNext: false,
      },
    ]);
    expect(crm.calls.snapshot()).toEqual({ client: 1 });
  });

  it('`@defer(if: $variable)` towards the remote source: the variable is dropped with the directive', async () => {
    const response = await fetch(`${gateway.url}/web/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
      body: JSON.stringify({
        query: 'query ($later: Boolean!) { crm_client(id: "3") { id ... @defer(if: $later) { segment } } }',
        variables: { later: true },
      }),
    });
    const payloads = await readAll(await multipartParts(response));
    expect(assemble(payloads)).toEqual({ data: { crm_client: { id: '3', segment: 'gold' } } });
    expect(payloads).toHaveLength(2);
  });
});
