import { startOrdersBackend, type OrdersBackend } from '../../../demo/orders-backend';
import { REPO_ROOT, startTestGateway, type TestGateway } from '../../helpers/test-gateway';
import { openRaw, type RawSocket } from './ws-test-clients';

const WATCH = 'subscription { watchOrders(customerId: "") { orderId status } }';

const subscribeMessage = (id: string, query = WATCH) => ({ id, type: 'subscribe', payload: { query } });

describe('GraphQL over WebSocket: hostile clients and transport rules', () => {
  let orders: OrdersBackend;
  let gateway: TestGateway;
  const sockets: RawSocket[] = [];

  /** A socket on `bff`, acknowledged unless `init` is false. */
  async function open(bff: string, init = true, options: Parameters<typeof openRaw>[2] = {}): Promise<RawSocket> {
    const raw = await openRaw(gateway.url, bff, options);
    sockets.push(raw);
    if (init) {
      raw.send({ type: 'connection_init' });
      expect(await raw.next()).toEqual({ type: 'connection_ack' });
    }
    return raw;
  }

  beforeAll(async () => {
    orders = await startOrdersBackend({ liveWatches: true });
    gateway = await startTestGateway(
      {
        sources: [{ name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: orders.url }],
        bffs: {
          ...Object.fromEntries(
            ['hostile', 'addresses', 'flood'].map((name) => [name, './test/server/websocket/fixtures/ws-open-bff.ts']),
          ),
          plain: './test/server/websocket/fixtures/ws-off-bff.ts',
          quick: './test/server/websocket/fixtures/ws-quick-timers-bff.ts',
          ...Object.fromEntries(
            ['pinged', 'stalled'].map((name) => [name, './test/server/websocket/fixtures/ws-keepalive-bff.ts']),
          ),
        },
      },
      REPO_ROOT,
      { socket: true },
    );
  });
  afterEach(async () => {
    for (const raw of sockets.splice(0)) raw.socket.terminate();
  });
  afterAll(async () => {
    await gateway?.close();
    await orders?.close();
  });
  beforeEach(() => orders.calls.reset());

  it('closes on protocol abuse with the graphql-ws codes, before any upstream call', async () => {
    const malformed = await open('hostile');
    malformed.send('{"type": "subscribe", ');
    expect(await malformed.closed).toEqual({ code: 4400, reason: 'Invalid message received' });

    const early = await open('hostile', false);
    early.send(subscribeMessage('1'));
    expect(await early.closed).toEqual({ code: 4401, reason: 'Unauthorized' });

    const twice = await open('hostile');
    twice.send({ type: 'connection_init' });
    expect((await twice.closed).code).toBe(4429);

    const binary = await open('hostile');
    binary.socket.send(Buffer.from([0xff, 0x00, 0x7b]));
    expect((await binary.closed).code).toBe(4400);

    const oversized = await open('hostile');
    oversized.send(subscribeMessage('1', `{ ${'__typename '.repeat(7_000)}}`));
    expect((await oversized.closed).code).toBe(1009);

    const silent = await open('quick', false);
    expect(await silent.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });

    const noProtocol = await open('hostile', false, { protocols: [] });
    expect(await noProtocol.closed).toEqual({ code: 4406, reason: 'Subprotocol not acceptable' });
    // subscriptions-transport-ws's protocol: no subprotocol is agreed, which a client must refuse.
    await expect(openRaw(gateway.url, 'hostile', { protocols: ['graphql-ws'] })).rejects.toThrow(
      'Server sent no subprotocol',
    );

    expect(orders.calls.count('WatchOrders')).toBe(0);
  });

  it('closes with 4409 on a second subscribe under an id still running', async () => {
    const raw = await open('hostile');
    raw.send(subscribeMessage('same'));
    expect(await raw.next()).toEqual({
      id: 'same',
      type: 'next',
      payload: { data: { watchOrders: { orderId: 'o1', status: 'PENDING' } } },
    });
    raw.send(subscribeMessage('same'));
    expect(await raw.closed).toEqual({ code: 4409, reason: 'Subscriber for same already exists' });
  });

  it('refuses connection_init payloads that are not headers', async () => {
    const raw = await open('hostile', false);
    raw.send({ type: 'connection_init', payload: { authorization: 'Bearer x\r\nx-injected: 1' } });
    expect((await raw.closed).code).toBe(4400);
  });

  it('caps sockets per address at the upgrade (HTTP 429), and frees the slot when one closes', async () => {
    const held = [await open('addresses'), await open('addresses')];
    await expect(openRaw(gateway.url, 'addresses')).rejects.toMatchObject({ status: 429 });
    held[0].socket.close();
    await held[0].closed;
    let admitted: RawSocket | undefined;
    // The server frees the slot once it sees the TCP connection close, a moment after the client does.
    for (let attempt = 0; !admitted && attempt < 500; attempt++)
      admitted = await openRaw(gateway.url, 'addresses').catch(() => undefined);
    expect(admitted).toBeDefined();
    sockets.push(admitted!);
  });

  it('refuses upgrades where no WebSocket is served: 404', async () => {
    await expect(openRaw(gateway.url, 'plain')).rejects.toMatchObject({ status: 404 });
    await expect(openRaw(gateway.url, 'nowhere')).rejects.toMatchObject({ status: 404 });
    // The HTTP side of that BFF is untouched.
    expect((await gateway.query('plain', { query: '{ __typename }' })).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers a flood of subscribes within the caps: at most 10 upstream streams, the rest refused, the socket open', async () => {
    const raw = await open('flood');
    const ids = Array.from({ length: 100 }, (_, index) => `f${index}`);
    for (const id of ids) raw.send(subscribeMessage(id));
    const refusedByOperationCap = new Set<string>();
    const refusedBySubscriptionCap = new Set<string>();
    const streaming = new Set<string>();
    while (refusedByOperationCap.size + refusedBySubscriptionCap.size + streaming.size < ids.length) {
      const message = await raw.next();
      if (message.type === 'error') {
        expect(message.payload.map((error: any) => error.extensions.code)).toEqual(['OPERATION_LIMIT_EXCEEDED']);
        refusedByOperationCap.add(message.id);
      } else if (message.type === 'next' && message.payload.errors) {
        expect(message.payload.errors.map((error: any) => error.extensions.code)).toEqual([
          'SUBSCRIPTION_LIMIT_EXCEEDED',
        ]);
        refusedBySubscriptionCap.add(message.id);
      } else if (message.type === 'next') streaming.add(message.id);
    }
    expect(streaming.size).toBe(10);
    expect(refusedByOperationCap.size).toBeGreaterThan(0);
    expect(orders.calls.count('WatchOrders')).toBe(10);
    raw.send({ type: 'ping' });
    let message = await raw.next();
    while (message.type !== 'pong') message = await raw.next();
    expect(raw.socket.readyState).toBe(raw.socket.OPEN);
  });

  it('pings every socket and drops one that stops answering', async () => {
    const answering = await open('pinged');
    await new Promise((done) => answering.socket.once('ping', done));
    const mute = await open('pinged', true, { autoPong: false });
    // Terminated without a close frame: the client sees an abnormal closure.
    expect((await mute.closed).code).toBe(1006);
  });

  it('drops a consumer that stops reading, and cancels its upstream stream', async () => {
    const raw = await open('stalled');
    raw.send(subscribeMessage('s'));
    await raw.next();
    // The client stops reading (pongs included) while its stream keeps producing events.
    (raw.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    while (orders.calls.count('WatchOrders.cancelled') === 0) {
      for (let event = 0; event < 200; event++) orders.publishOrderEvent({ orderId: `o${event}`, status: 'PAID' });
      await new Promise((done) => setTimeout(done, 10));
    }
    expect(orders.openWatches).toBe(0);
    (raw.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await raw.closed).code).toBe(1006);
  });
});
