import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { CatalogBackend } from '../../demo/catalog-backend';
import type { TestGateway } from '../helpers/test-gateway';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import { parentOf, startSpanCollector, type SpanCollector } from './span-collector';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

describe('tracing: span tree of a request through the gateway to the REST catalog', () => {
  let collector: SpanCollector;
  let setup: CatalogUnderTest;
  let backend: CatalogBackend;
  let gateway: TestGateway;

  beforeAll(async () => {
    collector = startSpanCollector();
    setup = await startCatalogUnderTest();
    ({ backend, gateway } = setup);
  });
  afterAll(async () => {
    await setup?.close();
    await collector?.shutdown();
  });
  beforeEach(() => {
    collector.reset();
    backend.calls.reset();
  });

  const requestSpan = () => collector.waitFor((span) => span.name === 'POST /web/graphql');

  it('continues an incoming traceparent: request > parse, validate, execute > one span per upstream call', async () => {
    const { body } = await gateway.query(
      'web',
      { query: 'query Shop { getCustomer(id: "1") { id } listProducts(limit: 1) { id } }' },
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
    );
    expect(body).toEqual({ data: { getCustomer: { id: '1' }, listProducts: [{ id: 'p1' }] } });
    const root = await requestSpan();
    const spans = collector.spans();

    expect(root.kind).toBe(SpanKind.SERVER);
    expect(root.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(root)).toBe(CALLER_SPAN_ID);
    expect(root.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.path': '/web/graphql',
      'http.response.status_code': 200,
      'loom.bff': 'web',
      'graphql.operation.name': 'Shop',
      'graphql.operation.type': 'query',
      'loom.upstream.calls': 2,
    });
    expect(root.status.code).toBe(SpanStatusCode.UNSET);
    expect(spans.every((span) => span.spanContext().traceId === TRACE_ID)).toBe(true);

    const children = spans.filter((span) => parentOf(span) === root.spanContext().spanId).map((span) => span.name);
    expect(children).toEqual(['graphql.parse', 'graphql.validate', 'graphql.execute']);

    const execute = spans.find((span) => span.name === 'graphql.execute')!;
    const upstream = spans.filter((span) => span.name === 'upstream catalog');
    expect(upstream).toHaveLength(2);
    expect(upstream.map((span) => parentOf(span))).toEqual([
      execute.spanContext().spanId,
      execute.spanContext().spanId,
    ]);
    expect(upstream.map((span) => span.attributes['loom.upstream.operation']).sort()).toEqual([
      'getCustomer',
      'listProducts',
    ]);
    for (const span of upstream) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes).toMatchObject({
        'loom.source': 'catalog',
        'loom.source.kind': 'openapi',
        'loom.upstream.status': 'ok',
        'graphql.operation.type': 'query',
      });
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    }
    expect(backend.calls.count()).toBe(2);
  });

  it('sends the upstream span as traceparent to the real catalog backend', async () => {
    await gateway.query(
      'web',
      { query: '{ getCustomer(id: "2") { id } }' },
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
    );
    await requestSpan();
    const upstream = collector.spans().find((span) => span.name === 'upstream catalog')!;
    expect(backend.lastHeaders.get('getCustomer')?.traceparent).toBe(
      `00-${TRACE_ID}-${upstream.spanContext().spanId}-01`,
    );
  });

  it('starts a new sampled trace when the client sends none', async () => {
    await gateway.query('web', { query: '{ getCustomer(id: "2") { id } }' });
    const root = await requestSpan();
    expect(parentOf(root)).toBeUndefined();
    expect(root.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(root.spanContext().traceId).not.toBe(TRACE_ID);
    const upstream = collector.spans().find((span) => span.name === 'upstream catalog')!;
    expect(backend.lastHeaders.get('getCustomer')?.traceparent).toBe(
      `00-${root.spanContext().traceId}-${upstream.spanContext().spanId}-01`,
    );
  });

  it('records the upstream HTTP status and error on the upstream span and the error code on the request span', async () => {
    const { body } = await gateway.query('web', { query: 'query Missing { getCustomer(id: "999") { id } }' });
    expect(body.errors?.[0].extensions?.code).toBe('UPSTREAM_HTTP_ERROR');
    const root = await requestSpan();
    const upstream = collector.spans().find((span) => span.name === 'upstream catalog')!;
    expect(upstream.attributes).toMatchObject({
      'loom.upstream.status': '404',
      'http.response.status_code': 404,
      'loom.error_codes': ['UPSTREAM_HTTP_ERROR'],
    });
    expect(upstream.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Source "catalog" answered HTTP 404' });
    expect(upstream.events.map((event) => [event.name, event.attributes?.['exception.type']])).toEqual([
      ['exception', 'UPSTREAM_HTTP_ERROR'],
    ]);
    const execute = collector.spans().find((span) => span.name === 'graphql.execute')!;
    expect(execute.status.code).toBe(SpanStatusCode.ERROR);
    expect(root.attributes['loom.error_codes']).toEqual(['UPSTREAM_HTTP_ERROR']);
    expect(root.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('marks the validate span failed for an invalid query, with no execute span and no upstream call', async () => {
    const { status } = await gateway.query('web', { query: '{ getCustomer(id: "1") { nope } }' });
    expect(status).toBe(400);
    const root = await requestSpan();
    const names = collector.spans().map((span) => span.name);
    expect(names).toEqual(['graphql.parse', 'graphql.validate', 'POST /web/graphql']);
    const validate = collector.spans().find((span) => span.name === 'graphql.validate')!;
    expect(validate.status.code).toBe(SpanStatusCode.ERROR);
    expect(root.attributes['http.response.status_code']).toBe(400);
    expect(backend.calls.count()).toBe(0);
  });
});
