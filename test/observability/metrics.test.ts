import type { CatalogBackend } from '../../demo/catalog-backend';
import type { TestGateway } from '../helpers/test-gateway';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import { scrape, valueOf, type Sample } from './prometheus-text';

describe('GET /metrics after known traffic', () => {
  let setup: CatalogUnderTest;
  let backend: CatalogBackend;
  let gateway: TestGateway;
  let samples: Sample[];

  beforeAll(async () => {
    // Two BFFs on one registry: every metric is get-or-create, nothing registers twice.
    setup = await startCatalogUnderTest({
      bffs: { web: './test/fixtures/bff/open.ts', mobile: './test/fixtures/bff/open.ts' },
    });
    ({ backend, gateway } = setup);
    for (let index = 0; index < 3; index++)
      await gateway.query('web', { query: 'query GetOne { getCustomer(id: "1") { id } }' });
    await gateway.query('web', { query: 'query Missing { getCustomer(id: "999") { id } }' });
    await gateway.query('web', { query: '{ listProducts(limit: 1) { id } getProduct(id: "p1") { id } }' });
    await gateway.query('web', { query: 'query Broken { getCustomer(id: "1") { nope } }' });
    await gateway.query('mobile', { query: 'query GetOne { getCustomer(id: "2") { id } }' });
    samples = await scrape(gateway);
  });
  afterAll(() => setup?.close());

  it('counts requests per BFF, operation name and HTTP status', () => {
    expect(valueOf(samples, 'loom_requests_total', { bff: 'web', operation: 'GetOne', status: '200' })).toBe(3);
    expect(valueOf(samples, 'loom_requests_total', { bff: 'web', operation: 'Missing', status: '200' })).toBe(1);
    expect(valueOf(samples, 'loom_requests_total', { bff: 'web', operation: 'anonymous', status: '200' })).toBe(1);
    expect(valueOf(samples, 'loom_requests_total', { bff: 'web', operation: 'Broken', status: '400' })).toBe(1);
    expect(valueOf(samples, 'loom_requests_total', { bff: 'mobile', operation: 'GetOne', status: '200' })).toBe(1);
    const total = samples
      .filter((sample) => sample.name === 'loom_requests_total')
      .reduce((sum, sample) => sum + sample.value, 0);
    expect(total).toBe(7);
  });

  it('has a latency histogram per BFF and operation', () => {
    expect(valueOf(samples, 'loom_request_duration_seconds_count', { bff: 'web', operation: 'GetOne' })).toBe(3);
    expect(
      valueOf(samples, 'loom_request_duration_seconds_bucket', { bff: 'web', operation: 'GetOne', le: '+Inf' }),
    ).toBe(3);
    expect(valueOf(samples, 'loom_request_duration_seconds_sum', { bff: 'web', operation: 'GetOne' })).toBeGreaterThan(
      0,
    );
    expect(valueOf(samples, 'loom_requests_in_flight', { bff: 'web' })).toBe(0);
  });

  it('counts errors by code', () => {
    expect(
      valueOf(samples, 'loom_request_errors_total', { bff: 'web', operation: 'Missing', code: 'UPSTREAM_HTTP_ERROR' }),
    ).toBe(1);
    expect(
      valueOf(samples, 'loom_request_errors_total', {
        bff: 'web',
        operation: 'Broken',
        code: 'GRAPHQL_VALIDATION_FAILED',
      }),
    ).toBe(1);
    expect(samples.filter((sample) => sample.name === 'loom_request_errors_total')).toHaveLength(2);
  });

  it('counts upstream calls, latency and errors per source, matching what the backend served', () => {
    expect(valueOf(samples, 'loom_upstream_requests_total', { source: 'catalog', status: 'ok' })).toBe(6);
    expect(valueOf(samples, 'loom_upstream_requests_total', { source: 'catalog', status: '404' })).toBe(1);
    expect(valueOf(samples, 'loom_upstream_errors_total', { source: 'catalog', code: 'UPSTREAM_HTTP_ERROR' })).toBe(1);
    expect(valueOf(samples, 'loom_upstream_request_duration_seconds_count', { source: 'catalog' })).toBe(7);
    expect(backend.calls.count()).toBe(7);
  });

  it('keeps the Node process metrics', () => {
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(samples.some((sample) => sample.name === 'nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('never uses a raw query as a label', () => {
    const labelValues = samples.flatMap((sample) => Object.values(sample.labels));
    expect(labelValues.some((value) => value.includes('{') || value.includes('getCustomer'))).toBe(false);
  });
});

describe('operation name cardinality', () => {
  it('keeps the first 50 operation names per BFF and counts the rest as other', async () => {
    const { gateway, close } = await startCatalogUnderTest();
    try {
      for (let index = 0; index < 55; index++) {
        const { status } = await gateway.query('web', { query: `query Op${index} { __typename }` });
        expect(status).toBe(200);
      }
      const requests = (await scrape(gateway)).filter((sample) => sample.name === 'loom_requests_total');
      expect(requests).toHaveLength(51);
      expect(valueOf(requests, 'loom_requests_total', { bff: 'web', operation: 'Op49', status: '200' })).toBe(1);
      expect(valueOf(requests, 'loom_requests_total', { bff: 'web', operation: 'other', status: '200' })).toBe(5);
    } finally {
      await close();
    }
  });
});
