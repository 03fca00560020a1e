import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';

/** The 5.5 KB document of issue 25: three levels of 300 spreads each. */
const spreads = (name: string) => Array.from({ length: 300 }, () => `...${name}`).join(' ');
const SPREAD_BOMB = `{ ...F0 } fragment F0 on Query { ${spreads('F1')} } fragment F1 on Query { ${spreads('F2')} } fragment F2 on Query { ${spreads('F3')} } fragment F3 on Query { listProducts { id name } }`;

// A generous bound: pricing is now a few ms; before, the event loop was blocked for minutes.
const HEALTH_BOUND_MS = 10_000;

describe('cost limit under a fragment-spread bomb (real gateway)', () => {
  let demo: CatalogUnderTest;

  beforeAll(async () => {
    demo = await startCatalogUnderTest({ bffs: { priced: './test/fixtures/bff/cost-and-rate-limit.ts' } });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('refuses the bomb with COST_LIMIT_EXCEEDED while /healthz stays responsive', async () => {
    demo.backend.calls.reset();
    const bombs = Array.from({ length: 3 }, () => demo.gateway.query('priced', { query: SPREAD_BOMB }));
    let timer: NodeJS.Timeout | undefined;
    const health = await Promise.race([
      demo.gateway.fetch(`/healthz`).then((response) => response.status),
      new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), HEALTH_BOUND_MS))),
    ]).finally(() => clearTimeout(timer));
    expect(health).toBe(200);
    for (const { status, body } of await Promise.all(bombs)) {
      expect(status).toBe(400);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['COST_LIMIT_EXCEEDED']);
      expect(body.data).toBeUndefined();
    }
    expect(demo.backend.calls.count()).toBe(0);
    // Normal traffic is served afterwards.
    expect((await demo.gateway.query('priced', { query: '{ listProducts(limit: 2) { id } }' })).body).toEqual({
      data: { listProducts: [{ id: 'p1' }, { id: 'p2' }] },
    });
  });
});
