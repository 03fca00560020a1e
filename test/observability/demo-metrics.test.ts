import { DEMO_BFFS } from '../bff/catalog-gateway';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import { scrape, valueOf, type PathFetcher } from './prometheus-text';

/** Metric families as `# TYPE` lines announce them (a family can exist before its first sample). */
async function metricFamilies(gateway: PathFetcher): Promise<Map<string, string>> {
  const text = await (await gateway.fetch('/metrics')).text();
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [name, type]));
}

describe('/metrics of the demo BFFs: every area in one registry', () => {
  let setup: CatalogUnderTest;

  beforeAll(async () => {
    setup = await startCatalogUnderTest({ bffs: DEMO_BFFS, upstream: { circuitBreaker: {} } });
  });
  afterAll(() => setup?.close());

  it('serves requests, upstream, cache, rate-limit, breaker and process metrics side by side', async () => {
    const { status } = await setup.gateway.query('web', { query: 'query Products { listProducts(limit: 2) { id } }' });
    expect(status).toBe(200);
    const families = await metricFamilies(setup.gateway);
    expect(
      Object.fromEntries(
        [
          'loom_requests_total',
          'loom_request_duration_seconds',
          'loom_request_errors_total',
          'loom_upstream_requests_total',
          'loom_upstream_request_duration_seconds',
          'loom_upstream_errors_total',
          'loom_cache_hits_total',
          'loom_cache_misses_total',
          'loom_rate_limit_rejections_total',
          'loom_upstream_circuit_state',
          'process_cpu_user_seconds_total',
        ].map((name) => [name, families.get(name)]),
      ),
    ).toEqual({
      loom_requests_total: 'counter',
      loom_request_duration_seconds: 'histogram',
      loom_request_errors_total: 'counter',
      loom_upstream_requests_total: 'counter',
      loom_upstream_request_duration_seconds: 'histogram',
      loom_upstream_errors_total: 'counter',
      loom_cache_hits_total: 'counter',
      loom_cache_misses_total: 'counter',
      loom_rate_limit_rejections_total: 'counter',
      loom_upstream_circuit_state: 'gauge',
      process_cpu_user_seconds_total: 'counter',
    });
    const samples = await scrape(setup.gateway);
    expect(valueOf(samples, 'loom_requests_total', { bff: 'web', operation: 'Products', status: '200' })).toBe(1);
    expect(valueOf(samples, 'loom_upstream_requests_total', { source: 'catalog', status: 'ok' })).toBe(1);
  });
});
