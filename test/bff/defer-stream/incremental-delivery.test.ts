import { connectClient, subscribe } from '../../server/websocket/ws-test-clients';
import { assemble, multipartParts, readAll, sseEvents, startDeferGateway, type DeferGateway } from './defer-gateway';

const MULTIPART = 'multipart/mixed';
const SSE = 'text/event-stream';
const JSON_ONLY = 'application/graphql-response+json, application/json';

/**
 * @defer and @stream through the stitched graph, over a real socket: the
 * deferred part's upstream is held by the gated items backend, so "arrives
 * after the first part" is shown by ordering (part 1 is read while the
 * upstream call it waits on has not been answered), never by timing.
 */
describe('@defer and @stream through the stitched graph', () => {
  let demo: DeferGateway;

  beforeAll(async () => {
    demo = await startDeferGateway();
  }, 60_000);
  afterAll(async () => {
    await demo?.close();
  });
  beforeEach(() => demo.resetCalls());

  /** The same query without incremental delivery, for comparing whole answers. */
  const whole = async (query: string) => {
    const { status, body } = await demo.gateway.query('open', { query });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    demo.resetCalls();
    return body;
  };

  it.each([
    ['the whole graph', 'open'],
    ['a view that renames (one more delegation)', 'renamed'],
  ])(
    'multipart on %s: the first part is sent while a deferred link field waits upstream; the deferred part follows',
    async (_view, bff) => {
      const held = demo.items.hold();
      const response = await demo.post(
        bff,
        {
          query: `{ getOrder(id: "o1") { id ${bff === 'renamed' ? 'state' : 'status'} ... @defer { item { id name } } } }`,
        },
        MULTIPART,
      );
      expect(response.status).toBe(200);
      const parts = await multipartParts(response);
      const first = await parts.next();
      // Read before the items backend answered: the deferred field's upstream call is still held.
      expect(first.value).toEqual({
        data: { getOrder: { id: 'o1', [bff === 'renamed' ? 'state' : 'status']: 'PENDING' } },
        hasNext: true,
      });
      await held.arrived;
      expect(demo.calls()).toEqual({ orders: { GetOrder: 1 }, items: { getItem: 1 } });
      held.release();
      expect(await readAll(parts)).toEqual([
        { incremental: [{ data: { item: { id: '1', name: 'Item 1' } }, path: ['getOrder'] }], hasNext: false },
      ]);
    },
  );

  it('SSE: the same delivery as events, the deferred one only after the upstream answers', async () => {
    const held = demo.items.hold();
    const response = await demo.post(
      'open',
      { query: '{ getOrder(id: "o2") { id ... @defer(label: "slow") { item { name } } } }' },
      SSE,
    );
    expect(response.status).toBe(200);
    const events = sseEvents(response);
    expect((await events.next()).value).toEqual({
      event: 'next',
      data: { data: { getOrder: { id: 'o2' } }, hasNext: true },
    });
    await held.arrived;
    held.release();
    expect((await events.next()).value).toEqual({
      event: 'next',
      data: {
        incremental: [{ data: { item: { name: 'Item 2' } }, path: ['getOrder'], label: 'slow' }],
        hasNext: false,
      },
    });
    expect((await events.next()).value).toEqual({ event: 'complete', data: undefined });
  });

  it('graphql-ws: each part is its own `next` message, the deferred one after the upstream answers', async () => {
    const { client, connected } = connectClient(demo.gateway.url, 'open');
    try {
      await connected;
      const held = demo.items.hold();
      const operation = subscribe(client, { query: '{ getOrder(id: "o3") { id ... @defer { item { name } } } }' });
      expect(await operation.received(1)).toEqual([{ data: { getOrder: { id: 'o3' } }, hasNext: true }]);
      await held.arrived;
      held.release();
      await operation.ended;
      expect(operation.results.slice(1)).toEqual([
        { incremental: [{ data: { item: { name: 'Item 3' } }, path: ['getOrder'] }], hasNext: false },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('a deferred fragment on a single-source type gets its fields (the non-null status included), no errors', async () => {
    const query = '{ getOrder(id: "o1") { id ... @defer { status totalCents customer { id name } } } }';
    const expected = await whole(query.replace(' @defer', ''));
    const payloads = await readAll(await multipartParts(await demo.post('open', { query }, MULTIPART)));
    expect(payloads).toHaveLength(2);
    expect(payloads[0]).toEqual({ data: { getOrder: { id: 'o1' } }, hasNext: true });
    expect(assemble(payloads)).toEqual(expected);
    expect(demo.calls()).toEqual({ orders: { GetOrder: 1 }, catalog: { listCustomers: 1 } });
  });

  it('a deferred link field across two sources, on every item of a list: right data, still one batched call', async () => {
    const query = '{ listOrders(limit: 8) { id ... @defer { status customer { id name tier } } } }';
    const expected = await whole(query.replace(' @defer', ''));
    const payloads = await readAll(await multipartParts(await demo.post('open', { query }, MULTIPART)));
    expect(payloads[0].data?.listOrders).toHaveLength(8);
    expect(payloads[0].data?.listOrders[0]).toEqual({ id: 'o1' });
    expect(assemble(payloads)).toEqual(expected);
    // One ListOrders, and the 8 customers in one GET /customers?ids= (batching applies to deferred fields too).
    expect(demo.calls()).toEqual({ orders: { ListOrders: 1 }, catalog: { listCustomers: 1 } });
  });

  it('@stream on a root list field: the first items at once, the rest as later parts, one upstream call', async () => {
    const query = '{ listOrders(limit: 4) @stream(initialCount: 1) { id status customer { name } } }';
    const expected = await whole(query.replace(' @stream(initialCount: 1)', ''));
    const payloads = await readAll(await multipartParts(await demo.post('open', { query }, MULTIPART)));
    expect(payloads[0]).toEqual({ data: { listOrders: [expected.data?.listOrders[0]] }, hasNext: true });
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads.at(-1)?.hasNext).toBe(false);
    expect(assemble(payloads)).toEqual(expected);
    expect(demo.calls().orders).toEqual({ ListOrders: 1 });
  });

  it('@stream on a list inside a delegated type: every item, the source asked once', async () => {
    const query = '{ getOrder(id: "o3") { id productIds @stream(initialCount: 0) attributes @stream { key value } } }';
    const expected = await whole(query.replace(/ @stream(\(initialCount: 0\))?/g, ''));
    const payloads = await readAll(await multipartParts(await demo.post('open', { query }, MULTIPART)));
    expect(payloads[0].data?.getOrder.productIds).toEqual([]);
    expect(assemble(payloads)).toEqual(expected);
    expect(demo.calls().orders).toEqual({ GetOrder: 1 });
  });

  it('a view that renames: renamed deferred fields and a renamed link type, right data', async () => {
    const query = '{ listOrders(limit: 3) { id ... @defer { state client { id name } } } }';
    const expected = await (async () => {
      const { body } = await demo.gateway.query('renamed', { query: query.replace(' @defer', '') });
      expect(body.errors).toBeUndefined();
      demo.resetCalls();
      return body;
    })();
    const payloads = await readAll(await multipartParts(await demo.post('renamed', { query }, MULTIPART)));
    expect(payloads[0]).toEqual({ data: { listOrders: [{ id: 'o1' }, { id: 'o2' }, { id: 'o3' }] }, hasNext: true });
    expect(assemble(payloads)).toEqual(expected);
    expect(expected.data?.listOrders[1]).toEqual({ id: 'o2', state: 'PAID', client: { id: '2', name: 'Customer 2' } });
    expect(demo.calls()).toEqual({ orders: { ListOrders: 1 }, catalog: { listCustomers: 1 } });
  });

  it('nested defers arrive in order: outer fragment, then the inner one', async () => {
    const query =
      '{ listOrders(limit: 2) { id ... @defer(label: "outer") { status ... @defer(label: "inner") { customer { name } } } } }';
    const payloads = await readAll(await multipartParts(await demo.post('open', { query }, MULTIPART)));
    expect(payloads[0]).toEqual({ data: { listOrders: [{ id: 'o1' }, { id: 'o2' }] }, hasNext: true });
    const labels = payloads.slice(1).map((payload) => payload.incremental?.map((patch) => patch.label));
    expect(labels.flat()).toEqual(['outer', 'outer', 'inner', 'inner']);
    expect(assemble(payloads)).toEqual({
      data: {
        listOrders: [
          { id: 'o1', status: 'PENDING', customer: { name: 'Customer 1' } },
          { id: 'o2', status: 'PAID', customer: { name: 'Customer 2' } },
        ],
      },
    });
  });

  it('an operation one source answers alone still goes through the gateway when it defers (parts, not one answer)', async () => {
    const payloads = await readAll(
      await multipartParts(
        await demo.post('open', { query: '{ getOrder(id: "o1") { id ... @defer { status } } }' }, MULTIPART),
      ),
    );
    expect(payloads).toEqual([
      { data: { getOrder: { id: 'o1' } }, hasNext: true },
      { incremental: [{ data: { status: 'PENDING' }, path: ['getOrder'] }], hasNext: false },
    ]);
    expect(demo.calls()).toEqual({ orders: { GetOrder: 1 } });
  });

  it('a deferred field that fails upstream is an error in its own part; the first part is intact', async () => {
    demo.backends.catalog.faults.set('listCustomers', 'http-500');
    try {
      const payloads = await readAll(
        await multipartParts(
          await demo.post(
            'open',
            { query: '{ getOrder(id: "o1") { id ... @defer { customer { name } } } }' },
            MULTIPART,
          ),
        ),
      );
      expect(payloads[0]).toEqual({ data: { getOrder: { id: 'o1' } }, hasNext: true });
      const patch = payloads[1].incremental?.[0];
      expect(patch?.path).toEqual(['getOrder']);
      expect(patch?.data).toEqual({ customer: null });
      expect(patch?.errors?.[0]).toMatchObject({
        path: ['getOrder', 'customer'],
        extensions: { code: 'UPSTREAM_HTTP_ERROR' },
      });
    } finally {
      demo.backends.catalog.faults.delete('listCustomers');
    }
  });

  it('a client that accepts only JSON is refused with 406 before any upstream call; `if: false` is answered whole', async () => {
    const query = 'query ($parts: Boolean!) { getOrder(id: "o1") { id ... @defer(if: $parts) { status } } }';
    for (const accept of [JSON_ONLY, 'application/json']) {
      const response = await demo.post('open', { query, variables: { parts: true } }, accept);
      expect(response.status).toBe(406);
      expect(await response.json()).toEqual({
        errors: [
          {
            message:
              'This operation uses @defer or @stream: send "Accept: multipart/mixed" or "Accept: text/event-stream" to receive its parts',
            extensions: { code: 'INCREMENTAL_DELIVERY_NOT_ACCEPTED' },
          },
        ],
      });
    }
    expect(demo.calls()).toEqual({});
    const whole = await demo.post('open', { query, variables: { parts: false } }, JSON_ONLY);
    expect(whole.status).toBe(200);
    expect(await whole.json()).toEqual({ data: { getOrder: { id: 'o1', status: 'PENDING' } } });
  });
});
