import { startOrdersBackend, type OrdersBackend } from '../../demo/orders-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

/** Issue 18: setting two members of a proto oneof is the client's mistake, caught before any upstream call. */
describe('gRPC oneof members as inputs', () => {
  let orders: OrdersBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    orders = await startOrdersBackend();
    gateway = await startTestGateway({
      sources: [
        { name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: orders.url, timeoutMs: 3000 },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await orders?.close();
  });
  beforeEach(() => orders.calls.reset());

  it('answers BAD_USER_INPUT and makes no upstream call when two members of one oneof are set', async () => {
    const { body } = await gateway.query('web', {
      query: `mutation { createOrder(customerId: "7", productIds: ["p2"], totalCents: "100", card: { last4: "4242", brand: "visa" }, invoice: { invoiceId: "inv-x", dueInDays: 14 }) { id } }`,
    });
    expect(body.data).toEqual({ createOrder: null });
    expect(body.errors).toEqual([
      {
        message: 'Set at most one of card, invoice: they are members of oneof CreateOrderRequest.payment',
        path: ['createOrder'],
        extensions: {
          code: 'BAD_USER_INPUT',
          source: 'orders',
          oneof: 'CreateOrderRequest.payment',
          members: ['card', 'invoice'],
        },
      },
    ]);
    expect(orders.calls.count('CreateOrder')).toBe(0);
  });

  it('treats an explicit null member as unset', async () => {
    const { body } = await gateway.query('web', {
      query: `mutation { createOrder(customerId: "7", productIds: ["p2"], totalCents: "100", card: null, invoice: { invoiceId: "inv-x", dueInDays: 14 }) { paymentCase } }`,
    });
    expect(body).toEqual({ data: { createOrder: { paymentCase: 'invoice' } } });
    expect(orders.calls.count('CreateOrder')).toBe(1);
  });
});
