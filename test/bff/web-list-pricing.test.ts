import { DEMO_BFFS, startCatalogGateway, type CatalogGateway } from './catalog-gateway';

/**
 * Lists priced at what the backends return (issue 25 item 8): an omitted bound
 * used to price at 10 items while listCustomers sends 50. The price shows in
 * the first request's RateLimit-Remaining (a full bucket minus the cost).
 */
describe('web BFF: list sizes the specs do not declare', () => {
  let demo: CatalogGateway;

  beforeAll(async () => {
    demo = await startCatalogGateway(DEMO_BFFS, { socket: true }); // anonymous callers are metered by the socket peer
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('prices listCustomers at its 50 customers and listProducts at its declared default of 20', async () => {
    const { status, headers, body } = await demo.gateway.query('web', {
      query: '{ listCustomers { id } listProducts { id } }',
    });
    expect(status).toBe(200);
    expect(body.data?.listCustomers).toHaveLength(50);
    expect(body.data?.listProducts).toHaveLength(20);
    // Anonymous: the user rule meters it by address (20,000, tighter than the ip rule's 50,000); (1 + 50) + (1 + 20) = 72.
    expect(headers.get('ratelimit-limit')).toBe('20000');
    expect(headers.get('ratelimit-remaining')).toBe(String(20_000 - 72));
  });
});
