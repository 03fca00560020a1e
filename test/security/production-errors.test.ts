import { API_KEY, startCatalogGateway, type CatalogGateway } from '../bff/catalog-gateway';

/** The demo web BFF with the config's `production: true`: nothing in an error helps an attacker map the system. */
describe('production error hygiene on the demo web BFF', () => {
  let demo: CatalogGateway;

  beforeAll(async () => {
    demo = await startCatalogGateway({ web: './bff/web.ts' }, { production: true });
  });
  afterAll(async () => {
    await demo?.close();
  });
  beforeEach(() => demo.backend.faults.clear());

  it('hides field suggestions', async () => {
    const { status, body } = await demo.gateway.query('web', { query: '{ getCustomer(id: "1") { emial } }' });
    expect(status).toBe(400);
    expect(body.errors).toEqual([expect.objectContaining({ message: 'Cannot query field "emial" on type "Customer".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
  });

  it.each(['garbage', 'http-500', 'reset'] as const)('keeps the code but no upstream address or stack on an upstream %s', async (fault) => {
    demo.backend.faults.set('getCustomer', fault);
    const { status, body } = await demo.gateway.query('web', { query: '{ getCustomer(id: "1") { id } }' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ getCustomer: null });
    expect(body.errors?.[0].extensions?.code).toMatch(/^UPSTREAM_/);
    const text = JSON.stringify(body);
    expect(text).not.toContain(demo.backend.url);
    expect(text).not.toContain(String(demo.backend.port));
    expect(text).not.toContain(API_KEY);
    expect(text).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
    expect(text).not.toContain('stack');
  });

  it('sets the security headers on answers and on refusals', async () => {
    for (const query of ['{ listCustomers { id } }', '{ nope }']) {
      const { headers } = await demo.gateway.query('web', { query });
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});
