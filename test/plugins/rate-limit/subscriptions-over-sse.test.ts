import { SignJWT } from 'jose';
import { startOrdersBackend, type OrdersBackend } from '../../../demo/orders-backend';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../../helpers/test-gateway';
import { SUBSCRIPTIONS_JWT_SECRET } from '../fixtures/subscriptions-capped-bff';

const WATCH = 'subscription { watchOrders(customerId: "") { orderId status } }';

interface OpenStream {
  readonly status: number;
  readonly headers: Headers;
  /** The whole SSE body; for an open stream, only once it ends. */
  text(): Promise<string>;
  close(): void;
}

const tokenFor = (subject: string) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SUBSCRIPTIONS_JWT_SECRET));

/** A GraphQL-over-SSE subscription from a real HTTP client; resolves once the answer's headers are in. */
async function subscribe(
  gateway: TestGateway,
  bff: string,
  query = WATCH,
  headers: Record<string, string> = {},
): Promise<OpenStream> {
  const controller = new AbortController();
  const response = await fetch(`${gateway.url}/${bff}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query }),
    signal: controller.signal,
  });
  return {
    status: response.status,
    headers: response.headers,
    text: () => response.text(),
    close: () => controller.abort(),
  };
}

const eventsOf = (text: string) =>
  [...text.matchAll(/event: next\ndata: (.*)\n/g)].map((match) => JSON.parse(match[1]));

/** Asks again until `attempt` passes: the server frees a slot when it notices the client left, a moment after the abort. */
async function eventually<T>(attempt: () => Promise<T>, passes: (value: T) => boolean, attempts = 200): Promise<T> {
  let last = await attempt();
  for (let tried = 1; !passes(last) && tried < attempts; tried++) {
    await new Promise((done) => setImmediate(done));
    last = await attempt();
  }
  return last;
}

describe('subscriptions over SSE against the demo gRPC server stream, under limits', () => {
  let orders: OrdersBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    orders = await startOrdersBackend();
    gateway = await startTestGateway(
      {
        sources: [{ name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: orders.url }],
        // One policy instance per BFF name: each test gets its own budget and slots.
        bffs: {
          metered: './test/plugins/fixtures/subscriptions-bff.ts',
          priced: './test/plugins/fixtures/subscriptions-bff.ts',
          ...Object.fromEntries(
            ['capped', 'users', 'freed', 'failed'].map((name) => [
              name,
              './test/plugins/fixtures/subscriptions-capped-bff.ts',
            ]),
          ),
        },
      },
      REPO_ROOT,
      { socket: true },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await orders?.close();
  });
  beforeEach(() => {
    orders.calls.reset();
    orders.faults.clear();
  });

  it('charges the rate limit at subscribe, with RateLimit headers, and refuses past the budget with 429 before any upstream call', async () => {
    const remaining: Array<string | null> = [];
    for (let round = 0; round < 3; round++) {
      const stream = await subscribe(gateway, 'metered');
      expect(stream.status).toBe(200);
      expect(stream.headers.get('ratelimit-limit')).toBe('10');
      remaining.push(stream.headers.get('ratelimit-remaining'));
      expect(eventsOf(await stream.text())).toHaveLength(3);
    }
    expect(remaining).toEqual(['7', '4', '1']);
    expect(orders.calls.count('WatchOrders')).toBe(3);

    const refused = await subscribe(gateway, 'metered');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('ratelimit-remaining')).toBe('1');
    const [event] = eventsOf(await refused.text());
    expect(event.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'RATE_LIMITED', cost: 3, limit: 10, remaining: 1 }),
      }),
    ]);
    expect(event.data).toBeUndefined();
    expect(orders.calls.count('WatchOrders')).toBe(3);
  });

  it('prices a subscription against the cost limit before its upstream stream opens', async () => {
    const refused = await subscribe(
      gateway,
      'priced',
      'subscription { watchOrders(customerId: "") { orderId status at } }',
    );
    expect(refused.status).toBe(400);
    expect(eventsOf(await refused.text())).toEqual([
      { errors: [expect.objectContaining({ extensions: { code: 'COST_LIMIT_EXCEEDED', cost: 4, maxCost: 3 } })] },
    ]);
    expect(orders.calls.count('WatchOrders')).toBe(0);
  });

  it('caps the streams one address holds open, with 429 SUBSCRIPTION_LIMIT_EXCEEDED and no upstream call', async () => {
    orders.faults.set('WatchOrders', 'hang');
    const open = [await subscribe(gateway, 'capped'), await subscribe(gateway, 'capped')];
    try {
      expect(open.map((stream) => stream.status)).toEqual([200, 200]);
      // Each stream's upstream call starts with its first read, just after its headers.
      await eventually(
        async () => orders.calls.count('WatchOrders'),
        (calls) => calls === 2,
      );
      const refused = await subscribe(gateway, 'capped');
      expect(refused.status).toBe(429);
      expect(eventsOf(await refused.text())).toEqual([
        {
          errors: [
            {
              message: 'Too many open subscriptions: at most 2 per client; close one first',
              extensions: { code: 'SUBSCRIPTION_LIMIT_EXCEEDED', limit: 2 },
            },
          ],
        },
      ]);
      expect(orders.calls.count('WatchOrders')).toBe(2);
      // Queries are not subscriptions: the cap leaves them alone.
      expect((await gateway.query('capped', { query: '{ getOrder(id: "o1") { id } }' })).status).toBe(200);
    } finally {
      for (const stream of open) stream.close();
    }
  });

  it('counts each authenticated user apart from the others and from anonymous callers', async () => {
    orders.faults.set('WatchOrders', 'hang');
    const alice = { authorization: `Bearer ${await tokenFor('alice')}` };
    const bob = { authorization: `Bearer ${await tokenFor('bob')}` };
    const open = [await subscribe(gateway, 'users', WATCH, alice), await subscribe(gateway, 'users', WATCH, alice)];
    try {
      expect((await subscribe(gateway, 'users', WATCH, alice)).status).toBe(429);
      for (const headers of [bob, {}]) {
        const other = await subscribe(gateway, 'users', WATCH, headers);
        open.push(other);
        expect(other.status).toBe(200);
      }
    } finally {
      for (const stream of open) stream.close();
    }
  });

  it('frees a slot when a stream completes', async () => {
    for (let round = 0; round < 3; round++)
      expect(eventsOf(await (await subscribe(gateway, 'freed')).text())).toHaveLength(3);
  });

  it('frees a slot when its client goes away', async () => {
    orders.faults.set('WatchOrders', 'hang');
    const open = [await subscribe(gateway, 'freed'), await subscribe(gateway, 'freed')];
    try {
      expect((await subscribe(gateway, 'freed')).status).toBe(429);
      open.shift()?.close();
      const admitted = await eventually(
        () => subscribe(gateway, 'freed'),
        (stream) => stream.status === 200,
      );
      open.push(admitted);
      expect(admitted.status).toBe(200);
      expect((await subscribe(gateway, 'freed')).status).toBe(429);
    } finally {
      for (const stream of open) stream.close();
    }
  });

  it('frees a slot when the upstream stream fails', async () => {
    orders.faults.set('WatchOrders', { status: 14, message: 'stream broke' });
    for (const failed of [await subscribe(gateway, 'failed'), await subscribe(gateway, 'failed')]) {
      expect(failed.status).toBe(200);
      // The upstream call starts with the first read: the fault must still be set when it does.
      expect(eventsOf(await failed.text())).toEqual([
        { errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'GRPC_UNAVAILABLE' }) })] },
      ]);
    }
    orders.faults.set('WatchOrders', 'hang');
    const open = [await subscribe(gateway, 'failed'), await subscribe(gateway, 'failed')];
    try {
      expect(open.map((stream) => stream.status)).toEqual([200, 200]);
      expect((await subscribe(gateway, 'failed')).status).toBe(429);
    } finally {
      for (const stream of open) stream.close();
    }
  });
});
