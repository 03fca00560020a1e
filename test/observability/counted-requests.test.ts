import { createLogger } from '../../src/core/logger';
import type { TestGateway } from '../helpers/test-gateway';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import { captureLogs, type LogCapture } from './log-capture';
import { scrape, valueOf } from './prometheus-text';

describe('what the request metrics and logs count', () => {
  let setup: CatalogUnderTest;
  let gateway: TestGateway;
  let logs: LogCapture;

  beforeAll(async () => {
    logs = captureLogs();
    setup = await startCatalogUnderTest({
      bffs: { web: './test/observability/fixtures/reject-bff.ts' },
      logger: createLogger({ level: 'info', destination: logs.stream }),
    });
    ({ gateway } = setup);
  });
  afterAll(() => setup?.close());

  it('counts a request a policy answered early with a ready Response, with its status', async () => {
    const { status } = await gateway.query('web', { query: 'query Rejected { __typename }' }, { 'x-reject': '1' });
    expect(status).toBe(429);
    expect(await logs.next('request')).toMatchObject({
      level: 40,
      status: 429,
      operation: 'unknown',
      upstreamCalls: 0,
    });
    const samples = await scrape(gateway);
    expect(valueOf(samples, 'loom_requests_total', { bff: 'web', operation: 'unknown', status: '429' })).toBe(1);
  });

  it('does not count GraphiQL pages or CORS preflights', async () => {
    const page = await gateway.fetch(`/web/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    await page.text();
    const preflight = await gateway.fetch(`/web/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1', 'access-control-request-method': 'POST' },
    });
    await preflight.text();
    // A counted request afterwards: its log line is the next one, so the two above logged nothing at info.
    await gateway.query('web', { query: 'query After { __typename }' });
    expect(await logs.next('request')).toMatchObject({ operation: 'After', status: 200 });
    const requests = (await scrape(gateway)).filter((sample) => sample.name === 'loom_requests_total');
    expect(requests.map((sample) => [sample.labels.operation, sample.labels.status, sample.value])).toEqual([
      ['unknown', '429', 1],
      ['After', '200', 1],
    ]);
  });
});
