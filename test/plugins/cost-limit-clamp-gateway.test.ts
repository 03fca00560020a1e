import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';

describe('cost limit clamping list sizes (real gateway and catalog)', () => {
  let demo: CatalogUnderTest;

  beforeAll(async () => {
    demo = await startCatalogUnderTest({ bffs: { clamped: './test/fixtures/bff/clamped-lists.ts' } });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it.each([
    ['an oversized literal', '{ listProducts(limit: 500) { id } }', {}, 5],
    ['an oversized variable', 'query($n: Int) { listProducts(limit: $n) { id } }', { n: 10_000 }, 5],
    ['the schema default over the cap', '{ listProducts { id } }', {}, 5],
    ['a negative size', '{ listProducts(limit: -3) { id } }', {}, 0],
  ])('sends the clamped size upstream for %s', async (_name, query, variables, expected) => {
    const { status, body } = await demo.gateway.query('clamped', { query, variables });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    // The backend slices to `limit`: what it returns is what it was asked for.
    expect(body.data?.listProducts).toHaveLength(expected);
  });
});
