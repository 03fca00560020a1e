import { print } from 'graphql';
import { startShopBackend, type ShopBackend } from '../fixtures/compose/shop-same-source-backend';
import {
  SELF_LINK,
  USER_LINK,
  createShopClient,
  expectSameAnswer,
  orderNumbers,
  orderOf,
  startShopGateway,
  userOf,
  type ShopClient,
} from '../fixtures/compose/shop-same-source-gateway';
import type { TestGateway } from '../helpers/test-gateway';

/**
 * Links whose target is the source the operation already reads (Order.user ->
 * getUser of the same REST source, batch endpoint listUsers by ids) take the
 * direct-source road on a whole-graph BFF (`web`): the source answers the
 * operation, then one batch call answers the link. A BFF with a trimmed view
 * (`stitched`) always goes through stitching, so every query is asked of both
 * and the answers must be the same, byte for byte, with the same upstream
 * calls. Failures (missing keys, faulty batch endpoint): same-source-link-failures.test.ts.
 */

/** The queries asked below; those in DIRECT must take the direct road with one link. */
const QUERIES = {
  twentyOrders: '{ listOrders(limit: 20) { id total user { id name email } status } }',
  aliases: '{ o: listOrders(limit: 3) { id buyer: user { n: name } } }',
  linkInTheMiddle: '{ listOrders(limit: 4) { status user { email id } total id } }',
  namedFragment:
    'query Shop { listOrders(limit: 5) { ...OrderParts status } } fragment OrderParts on Order { id user { name } }',
  inlineFragments:
    '{ listOrders(limit: 3) { __typename user { __typename ... on User { name } ... { id } } id ... on Order { total } } }',
  typenameOnly: '{ listOrders(limit: 3) { id user { __typename } } }',
  linkInInlineFragment: '{ listOrders(limit: 3) { id ... on Order { user { name } } } }',
  linkUnderCondition: 'query ($x: Boolean!) { listOrders(limit: 2) { id ... @include(if: $x) { user { name } } } }',
  // The client's own variable is called $keys, as the batch call's is.
  outerVariable: 'query ($keys: Int) { listOrders(limit: $keys) { id user { name } } }',
  mutation: 'mutation { createOrder(input: { total: 7.5, userId: 4 }) { id user { name } status } }',
  privateLookingAliases:
    '{ listOrders(limit: 3) { _loomLink0: id _loomKey0: userId _loomKey: status __loom: total user { _loomLink0: name _loomKey0: id } _loomLink: userId } }',
  // The link's key field name aliased to another field: the link must still read the real userId.
  keyNameAliased: '{ listOrders(limit: 3) { userId: status user { id } } }',
  fiveHundredOrders: '{ listOrders(limit: 500) { id user { id name } } }',
  twoOperations:
    'query Plain { listOrders(limit: 2) { id } } query Linked { listOrders(limit: 2) { id user { name } } }',
  twoAliases: '{ listOrders(limit: 3) { a: user { id } b: user { name } } }',
} as const;

const DIRECT = [
  'twentyOrders',
  'aliases',
  'linkInTheMiddle',
  'inlineFragments',
  'typenameOnly',
  'linkInInlineFragment',
  'linkUnderCondition',
  'outerVariable',
  'mutation',
  'privateLookingAliases',
  'keyNameAliased',
  'fiveHundredOrders',
] as const;

/**
 * The same link (parent type and response key) more than once: the direct road refuses it.
 * (Under two aliases it is two response keys, so two links: QUERIES.twoAliases.)
 */
const SAME_LINK_TWICE: Array<[string, string]> = [
  ['twice under one response key (selections merge)', '{ listOrders(limit: 3) { user { id } user { name } } }'],
  [
    'in a fragment and beside it',
    '{ listOrders(limit: 3) { user { id } ...F } } fragment F on Order { user { name } }',
  ],
  ['in an inline fragment and beside it', '{ listOrders(limit: 3) { user { id } ... on Order { user { name } } } }'],
];

/**
 * A link whose selection the batch call could not send as it is: the direct road refuses it.
 * Every row has its three entries (variables explicitly undefined): a shorter row would make
 * jest pass its `done` callback as the test's third parameter and wait for it.
 */
const NOT_PLAIN: Array<[string, string, Record<string, unknown> | undefined]> = [
  [
    'a variable inside the link',
    'query ($withEmail: Boolean!) { listOrders(limit: 3) { id user { name email @include(if: $withEmail) } } }',
    { withEmail: true },
  ],
  ['@include inside the link', '{ listOrders(limit: 3) { id user { name email @include(if: false) } } }', undefined],
  ['@skip on the link field', '{ listOrders(limit: 3) { id user @skip(if: false) { name } } }', undefined],
  [
    'a fragment spread inside the link',
    '{ listOrders(limit: 3) { id user { ...U } } } fragment U on User { name }',
    undefined,
  ],
  ['a link nested in the link', '{ listOrders(limit: 3) { id user { name self { email } } } }', undefined],
];

describe('links within one source (batch endpoint) on the direct road', () => {
  let backend: ShopBackend;
  let gateway: TestGateway;
  let shop: ShopClient;

  beforeAll(async () => {
    backend = await startShopBackend();
    gateway = await startShopGateway(backend, [USER_LINK, SELF_LINK]);
    shop = createShopClient(gateway, backend);
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });

  it('the trimmed BFF really is trimmed (so it cannot take the direct road)', async () => {
    const { web, stitched } = await shop.both({ query: '{ listOrders(limit: 1) { note } }' });
    expect(web.body).toEqual({ data: { listOrders: [{ note: 'note 1' }] } });
    expect(stitched.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  describe('which documents take the direct road', () => {
    it('a document without links: the source, no links', () => {
      const route = shop.routeOf('{ listOrders(limit: 1) { id } }');
      expect(route?.source.name).toBe('shop');
      expect(route?.links.length).toBe(0);
    });

    it.each(DIRECT)('%s: the source and one link', (name) => {
      const route = shop.routeOf(QUERIES[name]);
      expect(route?.source.name).toBe('shop');
      expect(route?.links.length).toBe(1);
    });

    it('a named fragment holding the link, and each operation of a two-operation document on its own', () => {
      expect(shop.routeOf(QUERIES.namedFragment, 'Shop')?.links.length).toBe(1);
      expect(shop.routeOf(QUERIES.twoOperations, 'Linked')?.links.length).toBe(1);
      // The other operation's link is none of this one's business.
      expect(shop.routeOf(QUERIES.twoOperations, 'Plain')?.links.length).toBe(0);
    });

    it('the same link under two aliases: two response keys, two links', () => {
      const route = shop.routeOf(QUERIES.twoAliases);
      expect(route?.source.name).toBe('shop');
      expect(route?.links.length).toBe(2);
    });

    it.each([...SAME_LINK_TWICE, ...NOT_PLAIN.map(([name, query]): [string, string] => [name, query])])(
      '%s: stitching',
      (_case, query) => {
        expect(shop.routeOf(query)).toBeUndefined();
      },
    );
  });

  it('20 orders and their users: one list call, one batch call, the same body either way', async () => {
    const answers = await shop.both({ query: QUERIES.twentyOrders });
    expect(answers.web.body).toEqual({
      data: {
        listOrders: orderNumbers(20).map((n) => {
          const { id, total, status, userId } = orderOf(n);
          return { id, total, user: userOf(userId), status };
        }),
      },
    });
    expect(answers.web.calls).toEqual({ listOrders: 1, listUsers: 1 });
    expect([...answers.web.batchIds[0]].sort((a, b) => a - b)).toEqual(orderNumbers(10));
    expectSameAnswer(answers);
  });

  // Stitching calls the executor it captured at composition; the direct road reads route.source.executor
  // per request, so a spy on it sees only the direct road's calls.
  it.each([
    ['web', 2],
    ['stitched', 0],
  ] as const)(
    '%s calls the source executor itself %i times (web: the operation, then one batch call)',
    async (bff, count) => {
      const source = shop.routeOf(QUERIES.twentyOrders)!.source;
      const executor = jest.spyOn(source, 'executor');
      try {
        const answer = await shop.ask(bff, { query: QUERIES.twentyOrders });
        expect(answer.calls).toEqual({ listOrders: 1, listUsers: 1 });
        expect(executor).toHaveBeenCalledTimes(count);
        const documents = executor.mock.calls.map(([request]) => print(request.document));
        if (count > 0) expect(documents[1]).toContain('listUsers(');
      } finally {
        executor.mockRestore();
      }
    },
  );

  describe('the client document as written', () => {
    it('aliases on the list, the link and inside it', async () => {
      const answers = await shop.both({ query: QUERIES.aliases });
      expect(answers.web.body).toEqual({
        data: { o: orderNumbers(3).map((n) => ({ id: `o${n}`, buyer: { n: `User ${n}` } })) },
      });
      expect(answers.web.calls).toEqual({ listOrders: 1, listUsers: 1 });
      expectSameAnswer(answers);
    });

    it('the link in the middle of a selection keeps its place among the keys', async () => {
      const answers = await shop.both({ query: QUERIES.linkInTheMiddle });
      const orders = answers.web.body.data?.listOrders as Array<Record<string, unknown>>;
      expect(orders.map((order) => Object.keys(order))).toEqual(
        orderNumbers(4).map(() => ['status', 'user', 'total', 'id']),
      );
      expect(orders.map((order) => Object.keys(order.user as object))).toEqual(
        orderNumbers(4).map(() => ['email', 'id']),
      );
      expectSameAnswer(answers);
    });

    it('a named fragment on Order that holds the link', async () => {
      const answers = await shop.both({ query: QUERIES.namedFragment, operationName: 'Shop' });
      expect(answers.web.body).toEqual({
        data: {
          listOrders: orderNumbers(5).map((n) => ({
            id: `o${n}`,
            user: { name: `User ${n}` },
            status: orderOf(n).status,
          })),
        },
      });
      expect(answers.web.calls).toEqual({ listOrders: 1, listUsers: 1 });
      expectSameAnswer(answers);
    });

    it('inline fragments and __typename inside the link, and __typename beside it', async () => {
      const answers = await shop.both({ query: QUERIES.inlineFragments });
      expect(answers.web.body).toEqual({
        data: {
          listOrders: orderNumbers(3).map((n) => ({
            __typename: 'Order',
            user: { __typename: 'User', name: `User ${n}`, id: n },
            id: `o${n}`,
            total: n * 1.5,
          })),
        },
      });
      expect(answers.web.calls).toEqual({ listOrders: 1, listUsers: 1 });
      expectSameAnswer(answers);
    });

    it('a link selecting only __typename', async () => {
      const answers = await shop.both({ query: QUERIES.typenameOnly });
      expect(answers.web.body).toEqual({
        data: { listOrders: orderNumbers(3).map((n) => ({ id: `o${n}`, user: { __typename: 'User' } })) },
      });
      expectSameAnswer(answers);
    });

    it('the link inside an inline fragment, and inside one that @include leaves out', async () => {
      const inFragment = await shop.both({ query: QUERIES.linkInInlineFragment });
      expect(inFragment.web.body).toEqual({
        data: { listOrders: orderNumbers(3).map((n) => ({ id: `o${n}`, user: { name: `User ${n}` } })) },
      });
      expectSameAnswer(inFragment);
      const excluded = await shop.both({ query: QUERIES.linkUnderCondition, variables: { x: false } });
      expect(excluded.web.body).toEqual({ data: { listOrders: [{ id: 'o1' }, { id: 'o2' }] } });
      expect(excluded.web.calls).toEqual({ listOrders: 1 });
      expectSameAnswer(excluded);
      const included = await shop.both({ query: QUERIES.linkUnderCondition, variables: { x: true } });
      expect(included.web.body.data?.listOrders[1]).toEqual({ id: 'o2', user: { name: 'User 2' } });
      expect(included.web.calls).toEqual({ listOrders: 1, listUsers: 1 });
      expectSameAnswer(included);
    });

    it("a variable outside the link (named $keys, like the batch call's own)", async () => {
      const answers = await shop.both({ query: QUERIES.outerVariable, variables: { keys: 2 } });
      expect(answers.web.body.data?.listOrders).toEqual([
        { id: 'o1', user: { name: 'User 1' } },
        { id: 'o2', user: { name: 'User 2' } },
      ]);
      expect(answers.web.calls).toEqual({ listOrders: 1, listUsers: 1 });
      expectSameAnswer(answers);
    });

    it('a mutation whose answer selects the link', async () => {
      const answers = await shop.both({ query: QUERIES.mutation });
      expect(answers.web.body).toEqual({
        data: { createOrder: { id: 'o-new', user: { name: 'User 4' }, status: 'open' } },
      });
      expect(answers.web.calls).toEqual({ createOrder: 1, listUsers: 1 });
      expectSameAnswer(answers);
    });

    it('a document with two operations: each answers its own', async () => {
      const linked = await shop.both({ query: QUERIES.twoOperations, operationName: 'Linked' });
      expect(linked.web.body.data?.listOrders).toEqual([
        { id: 'o1', user: { name: 'User 1' } },
        { id: 'o2', user: { name: 'User 2' } },
      ]);
      expectSameAnswer(linked);
      const plain = await shop.both({ query: QUERIES.twoOperations, operationName: 'Plain' });
      expect(plain.web.body).toEqual({ data: { listOrders: [{ id: 'o1' }, { id: 'o2' }] } });
      expect(plain.web.calls).toEqual({ listOrders: 1 });
      expectSameAnswer(plain);
    });
  });

  describe('hostile documents', () => {
    it('client aliases that look like the private ones do not collide with them', async () => {
      const answers = await shop.both({ query: QUERIES.privateLookingAliases });
      expect(answers.web.body).toEqual({
        data: {
          listOrders: orderNumbers(3).map((n) => ({
            _loomLink0: `o${n}`,
            _loomKey0: n,
            _loomKey: orderOf(n).status,
            __loom: n * 1.5,
            user: { _loomLink0: `User ${n}`, _loomKey0: n },
            _loomLink: n,
          })),
        },
      });
      expect(answers.web.calls).toEqual({ listOrders: 1, listUsers: 1 });
      expectSameAnswer(answers);
    });

    // Asked of each BFF on its own: a failing stitched road must not hide the direct one's answer.
    it.each(['web', 'stitched'] as const)(
      'another field aliased to the key name: the link still reads the real key (%s)',
      async (bff) => {
        const answer = await shop.ask(bff, { query: QUERIES.keyNameAliased });
        expect(answer.body).toEqual({
          data: { listOrders: orderNumbers(3).map((n) => ({ userId: orderOf(n).status, user: { id: n } })) },
        });
        expect(answer.status).toBe(200);
        expect(answer.calls).toEqual({ listOrders: 1, listUsers: 1 });
      },
    );

    it.each(SAME_LINK_TWICE)('the same link selected %s: stitching answers both selections', async (_case, query) => {
      const answers = await shop.both({ query });
      // Both selections of one response key merge (GraphQL's field collection).
      const expected = { data: { listOrders: orderNumbers(3).map((n) => ({ user: { id: n, name: `User ${n}` } })) } };
      expect(answers.stitched.body).toEqual(expected);
      expect(answers.web.calls.listOrders).toBe(1);
      expectSameAnswer(answers);
    });

    it('the same link under two aliases: each alias gets its own selection and its own batch call', async () => {
      const answers = await shop.both({ query: QUERIES.twoAliases });
      expect(answers.web.body).toEqual({
        data: { listOrders: orderNumbers(3).map((n) => ({ a: { id: n }, b: { name: `User ${n}` } })) },
      });
      expect(answers.web.calls).toEqual({ listOrders: 1, listUsers: 2 });
      expectSameAnswer(answers);
    });

    it.each(NOT_PLAIN)('%s falls back to stitching, same answer', async (_case, query, variables) => {
      const answers = await shop.both({ query, variables });
      expect(answers.web.body.errors).toBeUndefined();
      expect((answers.web.body.data?.listOrders as Array<{ user: { name: string } }>)[2].user.name).toBe('User 3');
      expectSameAnswer(answers);
    });

    it('500 orders over 10 users: one batch call with the 10 distinct ids', async () => {
      const answers = await shop.both({ query: QUERIES.fiveHundredOrders });
      const orders = answers.web.body.data?.listOrders as Array<{ id: string; user: { id: number } }>;
      expect(orders).toHaveLength(500);
      expect(orders.map((order) => order.user.id)).toEqual(orderNumbers(500).map((n) => ((n - 1) % 10) + 1));
      for (const answer of [answers.web, answers.stitched]) {
        expect(answer.calls).toEqual({ listOrders: 1, listUsers: 1 });
        expect(answer.batchIds).toHaveLength(1);
        expect([...answer.batchIds[0]].sort((a, b) => a - b)).toEqual(orderNumbers(10));
      }
      expectSameAnswer(answers);
    });

    it('concurrent requests of one document each get their own answer', async () => {
      backend.configure({});
      const query = 'query ($n: Int) { listOrders(limit: $n) { id user { name } } }';
      const answers = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((count) => gateway.query('web', { query, variables: { n: count } })),
      );
      answers.forEach(({ body }, index) =>
        expect(body).toEqual({
          data: { listOrders: orderNumbers(index + 1).map((n) => ({ id: `o${n}`, user: { name: `User ${n}` } })) },
        }),
      );
      expect(backend.calls.snapshot()).toEqual({ listOrders: 6, listUsers: 6 });
    });
  });
});

describe('the batch call of a same-source link carries the client request', () => {
  let backend: ShopBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    backend = await startShopBackend();
    gateway = await startShopGateway(backend, [USER_LINK], { forwardHeaders: ['x-tenant'] });
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });

  it.each(['web', 'stitched'] as const)('forwarded headers reach the batch endpoint (%s)', async (bff) => {
    const shop = createShopClient(gateway, backend);
    const query = '{ listOrders(limit: 2) { id user { name } } }';
    expect(shop.routeOf(query)?.links.length).toBe(1);
    const answer = await shop.ask(bff, { query }, {}, { 'x-tenant': 'tenant-7', 'x-request-id': 'req-same-source' });
    expect(answer.body.data?.listOrders[1]).toEqual({ id: 'o2', user: { name: 'User 2' } });
    for (const operation of ['listOrders', 'listUsers']) {
      expect(backend.lastHeaders.get(operation)).toMatchObject({
        'x-tenant': 'tenant-7',
        'x-request-id': 'req-same-source',
      });
    }
  });
});
