import { parse } from 'graphql';
import { startShopBackend, type ShopBackend } from '../fixtures/compose/shop-same-source-backend';
import { USER_LINK, orderNumbers, orderOf, userOf } from '../fixtures/compose/shop-same-source-gateway';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';

/**
 * Policies on the direct road with a same-source link: the field scope and the
 * response cache act as they do through stitching (the `trimmed` BFF).
 */
describe('same-source links under policies', () => {
  let backend: ShopBackend;
  let gateway: TestGateway;
  const PII_KEY = { 'x-api-key': 'shop-test-pii-key' };

  beforeAll(async () => {
    backend = await startShopBackend();
    gateway = await startTestGateway({
      sources: [
        {
          name: 'shop',
          kind: 'openapi',
          spec: './test/fixtures/compose/shop-same-source-openapi.yaml',
          endpoint: backend.url,
        },
      ],
      links: [USER_LINK],
      bffs: {
        guarded: './test/fixtures/bff/shop/guarded.ts',
        trimmed: './test/fixtures/bff/shop/guarded-trimmed.ts',
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await backend?.close();
  });

  const ask = async (bff: string, query: string, headers?: Record<string, string>) => {
    backend.configure({});
    const { status, body } = await gateway.query(bff, { query }, headers);
    return { status, body, calls: backend.calls.snapshot() };
  };

  it('takes the direct road on the whole-graph BFF', () => {
    const route = gateway.gateway.composed.directRouter.route(parse('{ listOrders(limit: 3) { id user { email } } }'));
    expect(route?.source.name).toBe('shop');
    expect(route?.links).toHaveLength(1);
  });

  it.each(['guarded', 'trimmed'])('%s: a scoped field inside the link is refused without the scope', async (bff) => {
    const refused = await ask(bff, '{ listOrders(limit: 3) { id user { name email } } }');
    const granted = await ask(bff, '{ listOrders(limit: 3) { id user { name email } } }', PII_KEY);
    expect(granted.body).toEqual({
      data: {
        listOrders: orderNumbers(3).map((n) => ({
          id: `o${n}`,
          user: { name: userOf(orderOf(n).userId).name, email: userOf(orderOf(n).userId).email },
        })),
      },
    });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScopes: ['pii:read'] });
    expect(JSON.stringify(refused.body.data ?? null)).not.toContain('@shop.test');
    // The field is nulled with FORBIDDEN beside the data the caller may read: a 200, as a GraphQL field error.
    expect(refused.status).toBe(200);
    expect(granted.calls).toEqual({ listOrders: 1, listUsers: 1 });
  });

  it('refuses and grants alike on both roads', async () => {
    const query = '{ listOrders(limit: 3) { id user { name email } } }';
    for (const headers of [undefined, PII_KEY]) {
      const direct = await ask('guarded', query, headers);
      const stitched = await ask('trimmed', query, headers);
      expect(direct.status).toBe(stitched.status);
      expect(direct.body).toEqual(stitched.body);
    }
  });

  it('caches the linked answer: a repeated query costs no upstream call', async () => {
    const query = '{ listOrders(limit: 4) { id user { id name } } }';
    const first = await ask('guarded', query);
    const second = await ask('guarded', query);
    expect(first.calls).toEqual({ listOrders: 1, listUsers: 1 });
    expect(second.calls).toEqual({});
    expect(second.body).toEqual(first.body);
    expect(first.body.errors).toBeUndefined();
  });
});
