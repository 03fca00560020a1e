import type { CatalogBackend } from '../../demo/catalog-backend';
import type { TestGateway } from '../helpers/test-gateway';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import { startSpanCollector, type SpanCollector } from './span-collector';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN_ID = 'b7ad6b7169203331';

describe('tracing with sampleRatio 0', () => {
  let collector: SpanCollector;
  let setup: CatalogUnderTest;
  let backend: CatalogBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    collector = startSpanCollector(0);
    setup = await startCatalogUnderTest();
    ({ backend, gateway } = setup);
  });
  afterAll(async () => {
    await setup?.close();
    await collector?.shutdown();
  });

  it('records nothing for a request without traceparent, and still sends an unsampled traceparent upstream', async () => {
    const first = await gateway.query('web', { query: '{ getCustomer(id: "1") { id } }' });
    expect(first.body.errors).toBeUndefined();
    const header = backend.lastHeaders.get('getCustomer')?.traceparent;
    expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    // A later sampled request's spans arrive after anything the first one could have produced.
    await gateway.query(
      'web',
      { query: '{ listProducts(limit: 1) { id } }' },
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
    );
    await collector.waitFor((span) => span.name === 'POST /web/graphql');
    expect(new Set(collector.spans().map((span) => span.spanContext().traceId))).toEqual(new Set([TRACE_ID]));
  });

  it('follows a caller that sampled the trace', async () => {
    collector.reset();
    await gateway.query(
      'web',
      { query: '{ getCustomer(id: "2") { id } }' },
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
    );
    const root = await collector.waitFor((span) => span.name === 'POST /web/graphql');
    expect(root.spanContext().traceId).toBe(TRACE_ID);
    expect(
      collector
        .spans()
        .map((span) => span.name)
        .sort(),
    ).toEqual(['POST /web/graphql', 'graphql.execute', 'graphql.parse', 'graphql.validate', 'upstream catalog']);
    expect(backend.lastHeaders.get('getCustomer')?.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
  });
});
