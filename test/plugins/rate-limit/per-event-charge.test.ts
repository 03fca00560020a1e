import type { Plugin } from 'graphql-yoga';
import { startOrdersBackend, type OrdersBackend } from '../../../demo/orders-backend';
import { useRateLimit } from '../../../src/plugins/rate-limit/use-rate-limit';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../../helpers/test-gateway';
import { connectClient, eventually, subscribe } from '../../server/websocket/ws-test-clients';

const WATCH = 'subscription { watchOrders(customerId: "") { orderId status } }';
const PER_EVENT = './test/plugins/rate-limit/fixtures/per-event-bff.ts';

const eventsOf = (text: string) =>
  [...text.matchAll(/event: next\ndata: (.*)\n/g)].map((match) => JSON.parse(match[1]));

/** The last result of a subscription ended by the per-event charge: the start (3) and two events (2 each) of 8 paid. */
const OUT_OF_BUDGET = {
  errors: [
    expect.objectContaining({
      extensions: expect.objectContaining({ code: 'RATE_LIMITED', rule: 'ip', cost: 2, limit: 8, remaining: 1 }),
    }),
  ],
};

describe('rate limit charged per subscription event (perEvent), against the demo gRPC stream', () => {
  let orders: OrdersBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    // Live watches stay open after the current orders: only the charge can end them.
    orders = await startOrdersBackend({ liveWatches: true });
    gateway = await startTestGateway(
      {
        sources: [{ name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: orders.url }],
        // One policy instance per BFF name: each test gets its own budget.
        bffs: { sse: PER_EVENT, ws: PER_EVENT, free: './test/plugins/fixtures/subscriptions-bff.ts' },
      },
      REPO_ROOT,
      { socket: true },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await orders?.close();
  });
  beforeEach(() => orders.calls.reset());

  /** The gateway cancelled the one gRPC stream it opened, and none is left open. */
  async function expectUpstreamStreamCancelled(): Promise<void> {
    expect(
      await eventually(
        () => orders.calls.count('WatchOrders.cancelled'),
        (count) => count === 1,
      ),
    ).toBe(1);
    expect(
      await eventually(
        () => orders.openWatches,
        (open) => open === 0,
      ),
    ).toBe(0);
  }

  it('over SSE: delivers what the budget pays for, then one RATE_LIMITED result, ends, and cancels the gRPC stream', async () => {
    const response = await fetch(`${gateway.url}/sse/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: WATCH }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit-remaining')).toBe('5');
    // The body ends on its own: the stream completes after the refusal.
    const events = eventsOf(await response.text());
    expect(events).toEqual([
      { data: { watchOrders: { orderId: 'o1', status: 'PENDING' } } },
      { data: { watchOrders: { orderId: 'o2', status: 'PAID' } } },
      OUT_OF_BUDGET,
    ]);
    await expectUpstreamStreamCancelled();

    // The budget is spent: the next subscription is refused at its start.
    const refused = await fetch(`${gateway.url}/sse/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: WATCH }),
    });
    expect(refused.status).toBe(429);
    expect(orders.calls.count('WatchOrders')).toBe(1);
  });

  it('over WebSocket (graphql-ws): the same events, then the RATE_LIMITED result and complete', async () => {
    const { client, connected } = connectClient(gateway.url, 'ws');
    try {
      await connected;
      const watch = subscribe(client, { query: WATCH });
      expect(await watch.ended).toEqual({});
      expect(watch.results).toEqual([
        { data: { watchOrders: { orderId: 'o1', status: 'PENDING' } } },
        { data: { watchOrders: { orderId: 'o2', status: 'PAID' } } },
        OUT_OF_BUDGET,
      ]);
      // A later event published upstream reaches nobody on this BFF.
      await expectUpstreamStreamCancelled();
    } finally {
      await client.dispose();
    }
  });

  it('leaves events free without perEvent: a live stream keeps delivering past the start charge', async () => {
    const { client, connected } = connectClient(gateway.url, 'free');
    try {
      await connected;
      const watch = subscribe(client, { query: WATCH });
      await watch.received(3);
      await eventually(
        () => orders.openWatches,
        (open) => open === 1,
      );
      for (let event = 0; event < 5; event++) orders.publishOrderEvent({ orderId: `o${10 + event}`, status: 'PAID' });
      const results = await watch.received(8);
      expect(results.every((result) => result.errors === undefined)).toBe(true);
      watch.unsubscribe();
      await eventually(
        () => orders.openWatches,
        (open) => open === 0,
      );
    } finally {
      await client.dispose();
    }
  });

  it('fails at start-up on a perEvent that is not a non-negative integer', () => {
    for (const perEvent of [-1, 1.5, Number.NaN])
      expect(() => useRateLimit({ rules: [{ by: 'ip', budget: 1 }], perEvent })).toThrow(
        `useRateLimit: perEvent must be a non-negative integer, got ${JSON.stringify(perEvent)}`,
      );
  });
});

// Compile-time: still a plain Yoga plugin with the new option.
const _typed: Plugin = useRateLimit({ rules: [{ by: 'ip', budget: 10 }], perEvent: 1 });
