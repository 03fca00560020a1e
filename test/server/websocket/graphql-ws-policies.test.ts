import { SignJWT } from 'jose';
import { startOrdersBackend, type OrdersBackend } from '../../../demo/orders-backend';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../../helpers/test-gateway';
import { WS_JWT_SECRET } from './fixtures/ws-guarded-bff';
import { PERSISTED_WATCH_ID } from './fixtures/ws-persisted-bff';
import { connectClient, eventually, subscribe } from './ws-test-clients';

const WATCH = 'subscription { watchOrders(customerId: "") { orderId status } }';
const GUARDED = './test/server/websocket/fixtures/ws-guarded-bff.ts';

const bearer = async (subject: string) => ({
  authorization: `Bearer ${await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(WS_JWT_SECRET))}`,
});

const codesOf = (result: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }) =>
  (result.errors ?? []).map((error) => error.extensions?.code);

describe('GraphQL over WebSocket (graphql-ws) under the BFF policies', () => {
  let orders: OrdersBackend;
  let gateway: TestGateway;
  const clients: Array<{ dispose(): void | Promise<void> }> = [];

  const connect = (bff: string, params?: Record<string, unknown>) => {
    const connection = connectClient(gateway.url, bff, params);
    clients.push(connection.client);
    return connection;
  };

  beforeAll(async () => {
    orders = await startOrdersBackend({ liveWatches: true });
    gateway = await startTestGateway(
      {
        sources: [{ name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: orders.url }],
        // One policy instance per BFF name: each test gets its own budget and caps.
        bffs: {
          ...Object.fromEntries(['auth', 'metered', 'capped', 'users', 'shapes'].map((name) => [name, GUARDED])),
          persisted: './test/server/websocket/fixtures/ws-persisted-bff.ts',
        },
      },
      REPO_ROOT,
      { socket: true },
    );
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(async () => {
    await gateway?.close();
    await orders?.close();
  });
  beforeEach(() => orders.calls.reset());

  it('authenticates connection_init through the BFF useAuth: no or bad credentials close with 4401', async () => {
    expect(await connect('auth').closed).toEqual({ code: 4401, reason: 'Authentication required' });
    expect((await connect('auth', { authorization: 'Bearer not.a.jwt' }).closed).code).toBe(4401);
    expect((await connect('auth', { headers: { Authorization: 'Basic eA==' } }).closed).code).toBe(4401);
    expect(orders.calls.count('WatchOrders')).toBe(0);
  });

  it('streams a gRPC server stream to a logged-in client, and cancels the gRPC call when the client unsubscribes', async () => {
    const { client, connected } = connect('auth', await bearer('alice'));
    await connected;
    const watch = subscribe(client, { query: WATCH });
    expect((await watch.received(3)).map((result) => result.data)).toEqual([
      { watchOrders: { orderId: 'o1', status: 'PENDING' } },
      { watchOrders: { orderId: 'o2', status: 'PAID' } },
      { watchOrders: { orderId: 'o3', status: 'SHIPPED' } },
    ]);
    expect(
      await eventually(
        () => orders.openWatches,
        (open) => open === 1,
      ),
    ).toBe(1);
    orders.publishOrderEvent({ orderId: 'o9', status: 'PAID' });
    expect((await watch.received(4))[3].data).toEqual({ watchOrders: { orderId: 'o9', status: 'PAID' } });

    watch.unsubscribe();
    expect(
      await eventually(
        () => orders.calls.count('WatchOrders.cancelled'),
        (count) => count === 1,
      ),
    ).toBe(1);
    expect(orders.openWatches).toBe(0);
    // Queries run over the same socket.
    const query = subscribe(client, { query: '{ getOrder(id: "o2") { id status } }' });
    await query.ended;
    expect(query.results).toEqual([{ data: { getOrder: { id: 'o2', status: 'PAID' } } }]);
  });

  it('cancels the gRPC call when the socket closes', async () => {
    const { client, connected } = connect('auth', await bearer('carol'));
    await connected;
    await subscribe(client, { query: WATCH }).received(3);
    await client.dispose();
    expect(
      await eventually(
        () => orders.calls.count('WatchOrders.cancelled'),
        (count) => count === 1,
      ),
    ).toBe(1);
    expect(orders.openWatches).toBe(0);
  });

  it('charges the rate limit per subscription start and refuses past the budget before any upstream call', async () => {
    const { client } = connect('metered', await bearer('dave'));
    for (let round = 0; round < 3; round++) {
      const watch = subscribe(client, { query: WATCH });
      await watch.received(3);
      watch.unsubscribe();
    }
    expect(orders.calls.count('WatchOrders')).toBe(3);
    const refused = subscribe(client, { query: WATCH });
    expect(await refused.ended).toEqual({});
    expect(refused.results).toHaveLength(1);
    expect(refused.results[0].errors?.[0].extensions).toEqual(
      expect.objectContaining({ code: 'RATE_LIMITED', cost: 3, limit: 10, remaining: 1 }),
    );
    expect(refused.results[0].data).toBeUndefined();
    expect(orders.calls.count('WatchOrders')).toBe(3);
  });

  it('applies the cost limit and the view per operation', async () => {
    const { client } = connect('shapes', await bearer('erin'));
    const priced = subscribe(client, { query: 'subscription { watchOrders(customerId: "") { orderId status at } }' });
    await priced.ended;
    expect(priced.results.map(codesOf)).toEqual([['COST_LIMIT_EXCEEDED']]);
    const hidden = subscribe(client, { query: '{ getOrder(id: "o1") { id note } }' });
    await hidden.ended;
    expect(hidden.results[0].errors?.[0]).toEqual(
      expect.objectContaining({
        message: 'Cannot query field "note" on type "Order".',
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    );
    expect(orders.calls.count('WatchOrders')).toBe(0);
    expect(orders.calls.count('GetOrder')).toBe(0);
  });

  it('caps sockets per identity (4429), operations per socket and subscriptions per client', async () => {
    const alice = await bearer('alice');
    const first = connect('capped', alice);
    const second = connect('capped', alice);
    await Promise.all([first.connected, second.connected]);
    expect(await connect('capped', alice).closed).toEqual({
      code: 4429,
      reason: 'Too many connections: at most 2 per identity',
    });
    await connect('capped', await bearer('bob')).connected;

    const open = [0, 1, 2].map(() => subscribe(first.client, { query: WATCH }));
    await Promise.all(open.map((watch) => watch.received(3)));
    const overOperations = subscribe(first.client, { query: WATCH });
    const { error } = await overOperations.ended;
    expect((error as Array<{ extensions?: Record<string, unknown> }>).map((entry) => entry.extensions)).toEqual([
      { code: 'OPERATION_LIMIT_EXCEEDED', limit: 3 },
    ]);
    // The same user on the other socket: the per-client subscription cap (3) counts both.
    const overSubscriptions = subscribe(second.client, { query: WATCH });
    await overSubscriptions.ended;
    expect(overSubscriptions.results.map(codesOf)).toEqual([['SUBSCRIPTION_LIMIT_EXCEEDED']]);
    expect(orders.calls.count('WatchOrders')).toBe(3);
    for (const watch of open) watch.unsubscribe();
  });

  it('keeps persisted-only: a raw document is refused, a persisted id runs', async () => {
    const { client } = connect('persisted');
    const raw = subscribe(client, { query: WATCH });
    await raw.ended;
    expect(raw.results.map(codesOf)).toEqual([['PERSISTED_QUERY_NOT_FOUND']]);
    expect(orders.calls.count('WatchOrders')).toBe(0);

    const persisted = subscribe(client, {
      query: '',
      extensions: { persistedQuery: { version: 1, sha256Hash: PERSISTED_WATCH_ID } },
    });
    expect((await persisted.received(3)).map((result) => result.data?.watchOrders)).toEqual([
      { orderId: 'o1' },
      { orderId: 'o2' },
      { orderId: 'o3' },
    ]);
    persisted.unsubscribe();
    const unknown = subscribe(client, {
      query: '',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
    });
    await unknown.ended;
    expect(unknown.results.map(codesOf)).toEqual([['PERSISTED_QUERY_NOT_FOUND']]);
    expect(orders.calls.count('WatchOrders')).toBe(1);
  });
});
