import { startOrdersBackend, type OrdersBackend } from '../../../demo/orders-backend';
import { validateConfig } from '../../../src/config/validate-config';
import { createGateway, type Gateway } from '../../../src/server/create-gateway';
import { listen, type RunningServer } from '../../../src/server/create-http-server';
import { REPO_ROOT } from '../../helpers/test-gateway';
import { connectClient, eventually, openRaw, subscribe } from './ws-test-clients';

const WATCH = 'subscription { watchOrders(customerId: "") { orderId status } }';

describe('GraphQL over WebSocket: graceful shutdown', () => {
  let orders: OrdersBackend;
  let gateway: Gateway;
  let server: RunningServer;

  beforeAll(async () => {
    orders = await startOrdersBackend({ liveWatches: true });
    const config = validateConfig(
      {
        sources: [{ name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: orders.url }],
        bffs: { live: './test/server/websocket/fixtures/ws-open-bff.ts' },
        port: 0,
      },
      '<test>',
      REPO_ROOT,
    );
    gateway = await createGateway({ config });
    server = await listen({ gateway }, 0);
  });
  afterAll(async () => {
    await server?.close();
    await gateway?.close();
    await orders?.close();
  });

  it('completes every running subscription, closes with 1001, cancels the upstream streams and then drains', async () => {
    const { client, closed, connected } = connectClient(server.url, 'live');
    await connected;
    const watches = [subscribe(client, { query: WATCH }), subscribe(client, { query: WATCH })];
    await Promise.all(watches.map((watch) => watch.received(3)));
    expect(server.websockets?.openConnections).toBe(1);

    const drained = server.drain(20_000);
    // Each operation ends with `complete` (no error), then the socket closes as "going away".
    expect(await Promise.all(watches.map((watch) => watch.ended))).toEqual([{}, {}]);
    expect(await closed).toEqual({ code: 1001, reason: 'Server shutting down' });
    expect(await drained).toBe('drained');
    expect(
      await eventually(
        () => orders.calls.count('WatchOrders.cancelled'),
        (count) => count === 2,
      ),
    ).toBe(2);
    expect(orders.openWatches).toBe(0);
    // No new socket while draining.
    await expect(openRaw(server.url, 'live')).rejects.toThrow();
    await client.dispose();
  });
});
