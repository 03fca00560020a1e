import type { RunningBackend } from '../../demo/http-backend';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';
import { startOrdersTestBackend } from '../fixtures/compose/orders-backend';
import { RATINGS_SDL, startRatingsBackend, type RatingsBackend } from '../fixtures/compose/ratings-graphql-backend';

const RATING_LINK = { field: 'Order.rating', resolveWith: 'ratingForOrder', args: { orderId: '$source.id' } };

describe('a GraphQL source (remote graphql-yoga) joined to a REST source by a link', () => {
  let ratings: RatingsBackend;
  let orders: RunningBackend;
  let introspected: TestGateway;
  let fromSdl: TestGateway;

  beforeAll(async () => {
    ratings = await startRatingsBackend();
    orders = await startOrdersTestBackend();
    const ordersSource = {
      name: 'orders',
      kind: 'openapi' as const,
      spec: './test/fixtures/compose/orders-openapi.yaml',
      endpoint: orders.url,
    };
    introspected = await startTestGateway({
      sources: [ordersSource, { name: 'ratings', kind: 'graphql', endpoint: ratings.url }],
      links: [RATING_LINK],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    fromSdl = await startTestGateway({
      sources: [ordersSource, { name: 'ratings', kind: 'graphql', endpoint: ratings.url, sdl: RATINGS_SDL }],
      links: [RATING_LINK],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await Promise.all([introspected?.close(), fromSdl?.close()]);
    await Promise.all([ratings?.close(), orders?.close()]);
  });
  beforeEach(() => {
    ratings.calls.reset();
    orders.calls.reset();
  });

  it('introspects the endpoint once at start-up; an SDL file needs no introspection', async () => {
    const gateway = await startTestGateway({
      sources: [{ name: 'ratings', kind: 'graphql', endpoint: ratings.url, sdl: RATINGS_SDL }],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    await gateway.close();
    expect(ratings.calls.count('introspection')).toBe(0);
    const another = await startTestGateway({
      sources: [{ name: 'ratings', kind: 'graphql', endpoint: ratings.url }],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
    await another.close();
    expect(ratings.calls.count('introspection')).toBe(1);
  });

  it.each([
    ['introspection', () => introspected],
    ['SDL', () => fromSdl],
  ])('serves its root fields (%s)', async (_mode, gateway) => {
    const { body } = await gateway().query('web', {
      query: '{ ratingForOrder(orderId: "o3") { orderId stars comment } }',
    });
    expect(body).toEqual({ data: { ratingForOrder: { orderId: 'o3', stars: 4, comment: 'order o3' } } });
    expect(ratings.calls.snapshot()).toEqual({ ratingForOrder: 1 });
  });

  it('resolves 20 orders with their rating in 2 upstream calls through the detected batch field, matched by key', async () => {
    const { body } = await introspected.query('web', {
      query: '{ listOrders(limit: 20) { id rating { orderId stars } } }',
    });
    expect(body.data?.listOrders).toHaveLength(20);
    expect(body.data?.listOrders[0]).toEqual({ id: 'o1', rating: { orderId: 'o1', stars: 2 } });
    expect(body.data?.listOrders[12]).toEqual({ id: 'o13', rating: { orderId: 'o13', stars: 4 } });
    expect(orders.calls.count()).toBe(1);
    expect(ratings.calls.snapshot()).toEqual({ ratingsForOrders: 1 });
    // o7 and o14 have no rating: null plus MISSING_KEY on those items only
    expect(body.data?.listOrders[6]).toEqual({ id: 'o7', rating: null });
    expect(body.errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['listOrders', 6, 'rating'], 'MISSING_KEY'],
      [['listOrders', 13, 'rating'], 'MISSING_KEY'],
    ]);
  });

  it('passes remote errors through with their code and the source name', async () => {
    const { body } = await introspected.query('web', { query: '{ brokenRating { stars } }' });
    expect(body.data).toEqual({ brokenRating: null });
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'ratings are down',
        path: ['brokenRating'],
        extensions: expect.objectContaining({ code: 'RATINGS_DOWN', source: 'ratings' }),
      }),
    ]);
  });
});

describe('a GraphQL source that cannot load', () => {
  it('fails start-up with the source name when the endpoint does not answer', async () => {
    const ratings = await startRatingsBackend();
    const url = ratings.url;
    await ratings.close();
    await expect(
      startTestGateway({
        sources: [{ name: 'ratings', kind: 'graphql', endpoint: url, timeoutMs: 2000 }],
        bffs: { web: './test/fixtures/bff/open.ts' },
      }),
    ).rejects.toThrow(/^source "ratings": cannot introspect http:\/\/127\.0\.0\.1:\d+\/graphql: /);
  });
});
