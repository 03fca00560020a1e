import * as grpc from '@grpc/grpc-js';
import { startCatalogBackend, type CatalogBackend } from '../../demo/catalog-backend';
import { startOrdersBackend, type OrdersBackend } from '../../demo/orders-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

const ORDER_FIELDS =
  'id customerId productIds status totalCents createdAt paymentCase card { last4 brand } invoice { invoiceId dueInDays } attributes { key value } note signature metadata deliveryWindow discount';

describe('gRPC source against the demo orders backend', () => {
  let orders: OrdersBackend;
  let catalog: CatalogBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    orders = await startOrdersBackend();
    catalog = await startCatalogBackend();
    gateway = await startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalog.url },
        {
          name: 'orders',
          kind: 'grpc',
          proto: './sources/orders/orders.proto',
          endpoint: orders.url,
          timeoutMs: 3000,
          headers: { 'x-team': 'loom' },
          forwardHeaders: ['authorization'],
          methods: { WatchOrders: 'query' },
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([orders?.close(), catalog?.close()]);
  });
  beforeEach(() => {
    orders.calls.reset();
    orders.faults.clear();
  });

  it('maps every field type of a unary response: int64 exact, Timestamp, oneof, map, wrapper, bytes, Struct, Duration, optional', async () => {
    const { status, body } = await gateway.query('web', { query: `{ getOrder(id: "o1") { ${ORDER_FIELDS} } }` });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        getOrder: {
          id: 'o1',
          customerId: '1',
          productIds: ['p1', 'p8'],
          status: 'PENDING',
          totalCents: '9007199254740993',
          createdAt: '2026-01-01T01:00:00.500Z',
          paymentCase: 'card',
          card: { last4: '4001', brand: 'visa' },
          invoice: null,
          attributes: [
            { key: 'channel', value: 'web' },
            { key: 'gift', value: 'true' },
          ],
          note: 'note for o1',
          signature: Buffer.from('sig-o1').toString('base64'),
          metadata: { source: 'demo', priority: 0 },
          deliveryWindow: '86400s',
          discount: 0.1,
        },
      },
    });
    expect(orders.calls.count('GetOrder')).toBe(1);
  });

  it('answers absent wrappers, optionals and the other oneof member as null', async () => {
    const { body } = await gateway.query('web', {
      query: '{ getOrder(id: "o2") { note discount paymentCase card { brand } invoice { invoiceId dueInDays } } }',
    });
    expect(body.data?.getOrder).toEqual({
      note: null,
      discount: null,
      paymentCase: 'invoice',
      card: null,
      invoice: { invoiceId: 'inv-2', dueInDays: 30 },
    });
  });

  it('unwraps a response that only wraps a repeated field, and takes enum arguments', async () => {
    const { body } = await gateway.query('web', { query: '{ listOrders(limit: 3, status: SHIPPED) { id status } }' });
    expect(body.data?.listOrders).toEqual([
      { id: 'o3', status: 'SHIPPED' },
      { id: 'o7', status: 'SHIPPED' },
      { id: 'o11', status: 'SHIPPED' },
    ]);
  });

  it('sends inputs both ways: int64 string, Timestamp, oneof member, map entries', async () => {
    const { body } = await gateway.query('web', {
      query: `mutation { createOrder(customerId: "7", productIds: ["p2"], totalCents: "9223372036854775807", invoice: { invoiceId: "inv-x", dueInDays: 14 },
        attributes: [{ key: "gift", value: "yes" }], requestedAt: "2026-03-04T05:06:07.250Z") { customerId productIds totalCents createdAt paymentCase invoice { invoiceId dueInDays } attributes { key value } status } }`,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.createOrder).toEqual({
      customerId: '7',
      productIds: ['p2'],
      totalCents: '9223372036854775807',
      createdAt: '2026-03-04T05:06:07.250Z',
      paymentCase: 'invoice',
      invoice: { invoiceId: 'inv-x', dueInDays: 14 },
      attributes: [{ key: 'gift', value: 'yes' }],
      status: 'PENDING',
    });
  });

  it('sends static headers, forwarded client headers and the trace context as metadata', async () => {
    await gateway.query(
      'web',
      { query: '{ getOrder(id: "o1") { id } }' },
      { authorization: 'Bearer abc', 'x-other': 'no' },
    );
    const metadata = orders.lastMetadata.get('GetOrder');
    expect(metadata?.['x-team']).toBe('loom');
    expect(metadata?.authorization).toBe('Bearer abc');
    expect(metadata?.['x-other']).toBeUndefined();
  });

  it('turns a gRPC status into GRPC_<STATUS> on that field and keeps the rest', async () => {
    const { body } = await gateway.query('web', {
      query: '{ missing: getOrder(id: "nope") { id } ok: getOrder(id: "o2") { id } getCustomer(id: "1") { name } }',
    });
    expect(body.data).toEqual({ missing: null, ok: { id: 'o2' }, getCustomer: { name: 'Customer 1' } });
    expect(body.errors).toEqual([
      {
        message: 'Source "orders" answered NOT_FOUND: order nope not found',
        path: ['missing'],
        extensions: { code: 'GRPC_NOT_FOUND', source: 'orders', grpcCode: 5 },
      },
    ]);
  });

  it('answers GRPC_DEADLINE_EXCEEDED when the method outlives the source timeout', async () => {
    orders.faults.set('GetOrder', 'hang');
    const { body } = await gateway.query('web', {
      query: '{ getOrder(id: "o1") { id } getCustomer(id: "2") { name } }',
    });
    expect(body.data).toEqual({ getOrder: null, getCustomer: { name: 'Customer 2' } });
    expect(body.errors?.[0].extensions).toMatchObject({
      code: 'GRPC_DEADLINE_EXCEEDED',
      source: 'orders',
      grpcCode: grpc.status.DEADLINE_EXCEEDED,
    });
  });

  it('collects a server stream into a list on Query', async () => {
    const { body } = await gateway.query('web', { query: '{ watchOrders(customerId: "") { orderId status at } }' });
    expect(body.data?.watchOrders).toEqual([
      { orderId: 'o1', status: 'PENDING', at: '2026-01-01T01:00:00.500Z' },
      { orderId: 'o2', status: 'PAID', at: '2026-01-01T02:00:00.500Z' },
      { orderId: 'o3', status: 'SHIPPED', at: '2026-01-01T03:00:00.500Z' },
    ]);
  });

  it('serves a server stream as a subscription over SSE to a real HTTP client', async () => {
    const response = await gateway.fetch(`/web/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { watchOrders(customerId: "") { orderId status } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = [...text.matchAll(/event: next\ndata: (.*)\n/g)].map((match) => JSON.parse(match[1]));
    expect(events).toEqual([
      { data: { watchOrders: { orderId: 'o1', status: 'PENDING' } } },
      { data: { watchOrders: { orderId: 'o2', status: 'PAID' } } },
      { data: { watchOrders: { orderId: 'o3', status: 'SHIPPED' } } },
    ]);
    expect(text).toContain('event: complete');
  });

  it('reports the client-streaming method as skipped, and maps it when configured', async () => {
    expect(gateway.gateway.composed.sources.find((source) => source.name === 'orders')?.warnings).toEqual([
      "OrderService.ImportOrders is client-streaming: skipped (map it with methods: { 'OrderService.ImportOrders': 'mutation' })",
    ]);
    const mapped = await startTestGateway({
      sources: [
        {
          name: 'orders',
          kind: 'grpc',
          proto: './sources/orders/orders.proto',
          endpoint: orders.url,
          methods: { 'OrderService.ImportOrders': 'mutation', Ping: 'query' },
        },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    try {
      const { body } = await mapped.query('web', { query: '{ ping { message } } ' });
      expect(body).toEqual({ data: { ping: { message: 'pong' } } });
      const imported = await mapped.query('web', {
        query: 'mutation { importOrders(requests: [{ customerId: "1" }]) { id } }',
      });
      expect(imported.body).toEqual({ data: { importOrders: [[]] } });
    } finally {
      await mapped.close();
    }
  });
});

describe('gRPC source with its server down', () => {
  it('answers GRPC_UNAVAILABLE while other sources keep serving', async () => {
    const orders = await startOrdersBackend();
    const deadUrl = orders.url;
    await orders.close();
    const catalog = await startCatalogBackend();
    const gateway = await startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: catalog.url },
        { name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: deadUrl, timeoutMs: 2000 },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    try {
      const { status, body } = await gateway.query('web', {
        query: '{ getOrder(id: "o1") { id } getCustomer(id: "1") { name } }',
      });
      expect(status).toBe(200);
      expect(body.data).toEqual({ getOrder: null, getCustomer: { name: 'Customer 1' } });
      expect(body.errors?.[0].extensions).toMatchObject({ code: 'GRPC_UNAVAILABLE', source: 'orders' });
    } finally {
      await gateway.close();
      await catalog.close();
    }
  });
});
