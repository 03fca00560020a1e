import { IOT_KEY } from '../catalog-gateway';
import { assemble, multipartParts, readAll, sseEvents, startDeferGateway, type DeferGateway } from './defer-gateway';

const MULTIPART = 'multipart/mixed';

/** Policies over incremental results: the switch, persisted-only, cache, cost and limits, hostile documents. */
describe('@defer and @stream meet every policy', () => {
  let demo: DeferGateway;

  beforeAll(async () => {
    demo = await startDeferGateway();
  }, 60_000);
  afterAll(async () => {
    await demo?.close();
  });
  beforeEach(() => demo.resetCalls());

  /** Status and body of a one-part answer: a refusal to a multipart client is one JSON part (meros reads only 2xx). */
  const body = async (response: Response) => {
    const type = response.headers.get('content-type') ?? '';
    if (type.startsWith('text/event-stream')) {
      const events = sseEvents(response);
      const first = await events.next();
      expect(first.value?.event).toBe('next');
      expect((await events.next()).value).toEqual({ event: 'complete', data: undefined });
      return { status: response.status, body: first.value?.data as any };
    }
    if (!type.startsWith('multipart/mixed')) return { status: response.status, body: await response.json() };
    const parts = [...(await response.text()).matchAll(/\r\n\r\n(\{.*?\})\r\n---/gs)].map((match) =>
      JSON.parse(match[1]),
    );
    expect(parts).toHaveLength(1);
    return { status: response.status, body: parts[0] };
  };

  it('is off unless the BFF turns it on: @defer is an unknown directive (400), nothing upstream', async () => {
    const answer = await body(
      await demo.post('off', { query: '{ getOrder(id: "o1") { id ... @defer { status } } }' }, MULTIPART),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      expect.objectContaining({
        message: 'Unknown directive "@defer".',
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }),
      }),
    ]);
    expect(demo.calls()).toEqual({});
  });

  it('the demo BFFs: on for web and mobile, off for iot', async () => {
    const query = '{ getProduct(id: "p1") { id ... @defer { name } } }';
    for (const bff of ['web', 'mobile']) {
      const payloads = await readAll(await multipartParts(await demo.post(bff, { query }, MULTIPART)));
      expect(assemble(payloads)).toEqual({ data: { getProduct: { id: 'p1', name: expect.any(String) } } });
      expect(payloads).toHaveLength(2);
    }
    const iot = demo.gateway.gateway.bffs.get('iot')!;
    expect(iot.schema.getDirective('defer')).toBeUndefined();
  });

  it('persisted-only iot refuses a @defer document as any document (PERSISTED_QUERY_NOT_FOUND, 400), whatever it accepts; nothing upstream', async () => {
    const query = '{ getProduct(id: "p1") { id ... @defer { name } } }';
    for (const accept of [MULTIPART, 'text/event-stream', 'application/json']) {
      const response = await demo.post('iot', { query }, accept, { headers: IOT_KEY });
      expect(await body(response)).toEqual({
        status: 400,
        body: {
          errors: [
            {
              message:
                '"iot" accepts persisted operations only: send extensions.persistedQuery.sha256Hash or documentId',
              extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
            },
          ],
        },
      });
    }
    expect(demo.calls()).toEqual({});
  });

  it('a batched request: an incremental operation is refused in its slot (BAD_REQUEST), the others are served', async () => {
    const response = await fetch(`${demo.gateway.url}/web/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify([
        { query: '{ getOrder(id: "o1") { id ... @defer { status } } }' },
        { query: '{ getOrder(id: "o2") { id } }' },
      ]),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      {
        errors: [
          {
            message: '@defer and @stream cannot be used in a batched request: send this operation alone',
            extensions: { code: 'BAD_REQUEST' },
          },
        ],
      },
      { data: { getOrder: { id: 'o2' } } },
    ]);
    expect(demo.calls()).toEqual({ orders: { GetOrder: 1 } });
  });

  it('field scopes: a deferred field the caller may not read is never sent (the answer is refused whole)', async () => {
    const query = '{ getCustomer(id: "1") { id ... @defer { name email } } }';
    // envelop's generic-auth cannot null one field inside parts: the operation answers data null with FORBIDDEN.
    const anonymous = await readAll(await multipartParts(await demo.post('scoped', { query }, MULTIPART)));
    expect(anonymous).toEqual([
      {
        data: null,
        errors: [
          expect.objectContaining({
            message: 'Field "Customer.email" requires scope(s): pii:read',
            extensions: { code: 'FORBIDDEN', requiredScopes: ['pii:read'] },
          }),
        ],
      },
    ]);
    const allowed = await readAll(
      await multipartParts(
        await demo.post('scoped', { query }, MULTIPART, { headers: { 'x-api-key': 'defer-test-pii-key' } }),
      ),
    );
    expect(assemble(allowed)).toEqual({
      data: { getCustomer: { id: '1', name: 'Customer 1', email: 'customer1@example.test' } },
    });
    expect(allowed).toHaveLength(2);
  });

  it('a deferred fragment inside a subscription event (SSE): each event, then its deferred part', async () => {
    const events = sseEvents(
      await demo.post(
        'open',
        { query: 'subscription { watchOrders { orderId ... @defer { status } } }' },
        'text/event-stream',
      ),
    );
    const received: unknown[] = [];
    for (let step = await events.next(); !step.done && step.value.event === 'next'; step = await events.next())
      received.push(step.value.data);
    expect(received.slice(0, 2)).toEqual([
      { data: { watchOrders: { orderId: 'o1' } }, hasNext: true },
      { incremental: [{ data: { status: 'PENDING' }, path: ['watchOrders'] }], hasNext: false },
    ]);
    expect(received.length % 2).toBe(0);
  });

  describe('response cache: an incremental answer is stored whole, or not at all', () => {
    const query = '{ getOrder(id: "o4") { id ... @defer { status item { name } } } }';

    it('the first request gets its parts and fills the cache once complete; the next gets the whole answer at once', async () => {
      const first = await demo.post('cached', { query }, MULTIPART);
      expect(first.headers.get('x-loom-cache')).toBe('MISS');
      const parts = await readAll(await multipartParts(first));
      expect(parts).toHaveLength(2);
      const whole = assemble(parts);
      expect(whole).toEqual({ data: { getOrder: { id: 'o4', status: 'CANCELLED', item: { name: 'Item 4' } } } });
      expect(demo.calls()).toEqual({ orders: { GetOrder: 1 }, items: { getItem: 1 } });

      const second = await demo.post('cached', { query }, MULTIPART);
      expect(second.headers.get('x-loom-cache')).toBe('HIT');
      expect(await readAll(await multipartParts(second))).toEqual([whole]);
      // Response replay (this BFF's policies are replay-safe) answers JSON only: a multipart hit is
      // never replayed as a JSON body under a multipart content type.
      const third = await demo.post('cached', { query }, MULTIPART);
      expect(await readAll(await multipartParts(third))).toEqual([whole]);
      expect(demo.calls()).toEqual({ orders: { GetOrder: 1 }, items: { getItem: 1 } });
    });

    it('a client that leaves before the deferred part arrives: never a partial entry (whole, or none)', async () => {
      const abandoned = '{ getOrder(id: "o5") { id ... @defer { item { name } } } }';
      const held = demo.items.hold();
      const controller = new AbortController();
      const response = await demo.post('cached', { query: abandoned }, MULTIPART, { signal: controller.signal });
      const parts = await multipartParts(response);
      expect((await parts.next()).value).toEqual({ data: { getOrder: { id: 'o5' } }, hasNext: true });
      await held.arrived;
      controller.abort();
      held.release();
      // The gateway may finish the execution it had started (the answer is then whole and may be
      // stored), or not (nothing stored); the next request never gets the first part alone.
      const again = await demo.post('cached', { query: abandoned }, MULTIPART);
      const outcome = again.headers.get('x-loom-cache');
      const answer = await readAll(await multipartParts(again));
      expect(assemble(answer)).toEqual({ data: { getOrder: { id: 'o5', item: { name: 'Item 5' } } } });
      if (outcome === 'HIT') expect(answer).toHaveLength(1);
      else expect(outcome).toBe('MISS');
    });

    it('a deferred part with an error is never cached (the next request asks upstream again)', async () => {
      const failing = '{ getOrder(id: "o6") { id ... @defer { customer { name } } } }';
      demo.backends.catalog.faults.set('listCustomers', 'http-500');
      try {
        const parts = await readAll(await multipartParts(await demo.post('cached', { query: failing }, MULTIPART)));
        expect(parts[1].incremental?.[0].errors?.[0]).toMatchObject({ path: ['getOrder', 'customer'] });
      } finally {
        demo.backends.catalog.faults.delete('listCustomers');
      }
      const again = await demo.post('cached', { query: failing }, MULTIPART);
      expect(again.headers.get('x-loom-cache')).toBe('MISS');
      expect(assemble(await readAll(await multipartParts(again)))).toEqual({
        data: { getOrder: { id: 'o6', customer: { name: expect.any(String) } } },
      });
      expect(demo.calls()).toEqual({ orders: { GetOrder: 2 }, catalog: { listCustomers: 2 } });
    });
  });

  describe('cost limit: deferred and streamed fields are priced like any other', () => {
    it('refuses with COST_LIMIT_EXCEEDED (400) when only the deferred fields push it over, before any part', async () => {
      const cheap = '{ listOrders(limit: 10) { id } }';
      const costly = '{ listOrders(limit: 10) { id ... @defer { customer { id name } item { id name } } } }';
      expect((await demo.post('guarded', { query: cheap }, MULTIPART)).status).toBe(200);
      demo.resetCalls();
      const refused = await body(await demo.post('guarded', { query: costly }, MULTIPART));
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'COST_LIMIT_EXCEEDED', maxCost: 40 }) }),
      ]);
      expect(refused.body.errors[0].extensions.cost).toBeGreaterThan(40);
      const streamed = await body(
        await demo.post(
          'guarded',
          { query: '{ listOrders(limit: 10) @stream(initialCount: 1) { id customer { id name } item { id name } } }' },
          MULTIPART,
        ),
      );
      expect(streamed.status).toBe(400);
      expect(streamed.body.errors[0].extensions.code).toBe('COST_LIMIT_EXCEEDED');
      expect(demo.calls()).toEqual({});
    });
  });

  describe('hostile documents', () => {
    it('thousands of deferred fragments: refused by the directive cap (DIRECTIVE_LIMIT_EXCEEDED, 400), nothing upstream', async () => {
      const fragments = Array.from({ length: 2000 }, () => '... @defer { id }').join(' ');
      const refused = await body(
        await demo.post('guarded', { query: `{ getOrder(id: "o1") { ${fragments} } }` }, MULTIPART),
      );
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].extensions.code).toBe('DIRECTIVE_LIMIT_EXCEEDED');
      expect(demo.calls()).toEqual({});
    });

    it('many deferred fragments under the cap: each its own patch, one upstream call', async () => {
      const fragments = Array.from({ length: 25 }, (_, index) => `... @defer(label: "f${index}") { id }`).join(' ');
      const payloads = await readAll(
        await multipartParts(
          await demo.post('guarded', { query: `{ getOrder(id: "o1") { status ${fragments} } }` }, MULTIPART),
        ),
      );
      const labels = payloads.flatMap((payload) => payload.incremental?.map((patch) => patch.label) ?? []);
      expect(labels.sort()).toEqual(Array.from({ length: 25 }, (_, index) => `f${index}`).sort());
      expect(assemble(payloads)).toEqual({ data: { getOrder: { status: 'PENDING', id: 'o1' } } });
      expect(demo.calls()).toEqual({ orders: { GetOrder: 1 } });
    });

    it('40 nested deferred fragments: the data is right, one upstream call', async () => {
      const nested = `{ getOrder(id: "o1") { ${'... @defer { '.repeat(40)} status ${'}'.repeat(40)} } }`;
      const payloads = await readAll(await multipartParts(await demo.post('open', { query: nested }, MULTIPART)));
      expect(payloads.at(-1)?.hasNext).toBe(false);
      expect(assemble(payloads)).toEqual({ data: { getOrder: { status: 'PENDING' } } });
      expect(demo.calls()).toEqual({ orders: { GetOrder: 1 } });
    });

    it.each([
      [
        'on a mutation root field',
        'mutation { ... @defer { ping { message } } }',
        'Defer directive cannot be used on root mutation type "Mutation".',
      ],
      [
        'on a subscription root field',
        'subscription { ... @defer { watchOrders { orderId } } }',
        'Defer directive cannot be used on root subscription type "Subscription".',
      ],
      [
        'twice with one label',
        '{ getOrder(id: "o1") { ... @defer(label: "a") { id } ... @defer(label: "a") { status } } }',
        'Defer/Stream directive label argument must be unique.',
      ],
      [
        'with a variable label',
        'query ($l: String) { getOrder(id: "o1") { ... @defer(label: $l) { id } } }',
        'Directive "defer"\'s label argument must be a static string.',
      ],
      [
        '@stream on a non-list field',
        '{ getOrder(id: "o1") { id @stream } }',
        'Stream directive cannot be used on non-list field "id" on type "Order".',
      ],
      [
        '@stream with a negative initialCount',
        '{ listOrders(limit: 2) @stream(initialCount: -1) { id } }',
        '@stream(initialCount:) must be an integer of 0 or more',
      ],
    ])('@defer %s is refused (400) with nothing upstream', async (_case, query, message) => {
      const refused = await body(await demo.post('open', { query }, MULTIPART));
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].message).toContain(message);
      expect(demo.calls()).toEqual({});
    });

    it('a deferred fragment inside a mutation result: the mutation runs once, its deferred fields follow', async () => {
      const payloads = await readAll(
        await multipartParts(
          await demo.post('open', { query: 'mutation { ping { ... @defer { message } } }' }, MULTIPART),
        ),
      );
      expect(assemble(payloads)).toEqual({ data: { ping: { message: 'pong' } } });
      expect(demo.calls()).toEqual({ orders: { Ping: 1 } });
    });

    it('labels with odd strings come back exactly as sent', async () => {
      const labels = ['ünïcødé ✓', 'quote " and \\ backslash', 'nul \u0000 and newline \n', 'x'.repeat(500)];
      const fragments = labels
        .map((label, index) => `... @defer(label: ${JSON.stringify(label)}) { a${index}: id }`)
        .join(' ');
      const payloads = await readAll(
        await multipartParts(
          await demo.post('open', { query: `{ getOrder(id: "o1") { status ${fragments} } }` }, MULTIPART),
        ),
      );
      const sent = payloads.flatMap((payload) => payload.incremental?.map((patch) => patch.label) ?? []);
      expect(sent.sort()).toEqual([...labels].sort());
      // An empty label is no label (graphql-tools' executor): the patch comes without one.
      const unlabelled = await readAll(
        await multipartParts(
          await demo.post('open', { query: '{ getOrder(id: "o1") { ... @defer(label: "") { id } } }' }, MULTIPART),
        ),
      );
      expect(unlabelled[1]).toEqual({ incremental: [{ data: { id: 'o1' }, path: ['getOrder'] }], hasNext: false });
    });

    it('`if: false` (literal or variable) answers in one part, fields included', async () => {
      for (const [query, variables] of [
        ['{ getOrder(id: "o1") { id ... @defer(if: false) { status } } }', {}],
        ['query ($on: Boolean!) { getOrder(id: "o1") { id ... @defer(if: $on) { status } } }', { on: false }],
      ] as const) {
        const payloads = await readAll(await multipartParts(await demo.post('open', { query, variables }, MULTIPART)));
        expect(payloads).toEqual([{ data: { getOrder: { id: 'o1', status: 'PENDING' } } }]);
      }
    });
  });
});
