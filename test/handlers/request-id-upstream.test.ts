import { startBillingBackend, type BillingBackend } from '../../demo/billing-backend';
import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { startOrdersBackend, type OrdersBackend } from '../../demo/orders-backend';
import type { SourceOptions } from '../../src/handlers/source-options';
import { startTestGateway } from '../helpers/test-gateway';

/** Issue 18: the request id reaches every upstream by default (HTTP header, gRPC metadata, SOAP HTTP header); configurable off. */
describe('x-request-id on upstream calls', () => {
  let catalog: CatalogBackend;
  let orders: OrdersBackend;
  let billing: BillingBackend;

  beforeAll(async () => {
    [catalog, orders, billing] = await Promise.all([
      startCatalogBackend(),
      startOrdersBackend(),
      startBillingBackend(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([catalog?.close(), orders?.close(), billing?.close()]);
  });

  const sources = (propagateRequestId?: boolean): SourceOptions[] => [
    {
      name: 'catalog',
      kind: 'openapi',
      spec: './sources/catalog/openapi.yaml',
      endpoint: catalog.url,
      ...(propagateRequestId !== undefined && { propagateRequestId }),
    },
    {
      name: 'orders',
      kind: 'grpc',
      proto: './sources/orders/orders.proto',
      endpoint: orders.url,
      ...(propagateRequestId !== undefined && { propagateRequestId }),
    },
    {
      name: 'billing',
      kind: 'soap',
      wsdl: './sources/billing/billing.wsdl',
      endpoint: `${billing.url}`,
      ...(propagateRequestId !== undefined && { propagateRequestId }),
    },
  ];
  const QUERY = '{ getCustomer(id: "1") { id } getOrder(id: "o1") { id } getInvoice(orderId: "o1") { invoiceId } }';

  it("sends the client's x-request-id to REST, gRPC and SOAP upstreams", async () => {
    const gateway = await startTestGateway({ sources: sources(), bffs: { web: './test/fixtures/bff/open.ts' } });
    try {
      const { body, headers } = await gateway.query('web', { query: QUERY }, { 'x-request-id': 'req-18' });
      expect(body.errors).toBeUndefined();
      expect(headers.get('x-request-id')).toBe('req-18');
      expect(catalog.lastHeaders.get('getCustomer')?.['x-request-id']).toBe('req-18');
      expect(orders.lastMetadata.get('GetOrder')?.['x-request-id']).toBe('req-18');
      expect(billing.lastHeaders.get('GetInvoice')?.['x-request-id']).toBe('req-18');
    } finally {
      await gateway.close();
    }
  });

  it('sends the generated id when the client sent none, and nothing with propagateRequestId: false', async () => {
    const gateway = await startTestGateway({ sources: sources(), bffs: { web: './test/fixtures/bff/open.ts' } });
    try {
      const { headers } = await gateway.query('web', { query: '{ getCustomer(id: "1") { id } }' });
      expect(catalog.lastHeaders.get('getCustomer')?.['x-request-id']).toBe(headers.get('x-request-id'));
    } finally {
      await gateway.close();
    }
    const quiet = await startTestGateway({ sources: sources(false), bffs: { web: './test/fixtures/bff/open.ts' } });
    try {
      await quiet.query('web', { query: QUERY }, { 'x-request-id': 'req-quiet' });
      expect(catalog.lastHeaders.get('getCustomer')?.['x-request-id']).toBeUndefined();
      expect(orders.lastMetadata.get('GetOrder')?.['x-request-id']).toBeUndefined();
      expect(billing.lastHeaders.get('GetInvoice')?.['x-request-id']).toBeUndefined();
    } finally {
      await quiet.close();
    }
  });
});
