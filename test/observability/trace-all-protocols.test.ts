import { SpanKind } from '@opentelemetry/api';
import { startDemoBackends, type DemoBackends } from '../../demo/start-demo-backends';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway';
import { parentOf, startSpanCollector, type SpanCollector } from './span-collector';

const TRACE_ID = '6bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '20f067aa0ba902b7';
const TRACEPARENT = new RegExp(`^00-${TRACE_ID}-([0-9a-f]{16})-01$`);

describe('tracing across REST, gRPC and SOAP sources', () => {
  let collector: SpanCollector;
  let backends: DemoBackends;
  let gateway: TestGateway;

  beforeAll(async () => {
    collector = startSpanCollector();
    backends = await startDemoBackends({});
    gateway = await startTestGateway({
      sources: [
        { name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml', endpoint: backends.catalog.url },
        { name: 'orders', kind: 'grpc', proto: './sources/orders/orders.proto', endpoint: backends.orders.url },
        { name: 'billing', kind: 'soap', wsdl: './sources/billing/billing.wsdl', endpoint: backends.billing.url },
      ],
      bffs: { web: './test/fixtures/bff/open.ts' },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await backends?.close();
    await collector?.shutdown();
  });

  it('has one upstream span per source under the request, and each real upstream receives its span as traceparent', async () => {
    const { body } = await gateway.query(
      'web',
      { query: '{ getCustomer(id: "1") { id } getOrder(id: "o1") { id } getInvoice(orderId: "o1") { invoiceId } }' },
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
    );
    expect(body).toEqual({
      data: { getCustomer: { id: '1' }, getOrder: { id: 'o1' }, getInvoice: { invoiceId: 'inv-1' } },
    });
    const root = await collector.waitFor((span) => span.name === 'POST /web/graphql');
    expect(root.spanContext().traceId).toBe(TRACE_ID);
    const upstream = Object.fromEntries(
      ['catalog', 'orders', 'billing'].map((source) => [
        source,
        collector.spans().find((span) => span.name === `upstream ${source}`),
      ]),
    );
    const byId = new Map(collector.spans().map((span) => [span.spanContext().spanId, span]));
    for (const span of Object.values(upstream)) {
      expect(span?.kind).toBe(SpanKind.CLIENT);
      expect(span?.spanContext().traceId).toBe(TRACE_ID);
      // every upstream span hangs under the request span (through execute)
      let ancestor = span && byId.get(parentOf(span) ?? '');
      while (ancestor && ancestor !== root) ancestor = byId.get(parentOf(ancestor) ?? '');
      expect(ancestor).toBe(root);
    }
    expect(backends.catalog.lastHeaders.get('getCustomer')?.traceparent).toMatch(TRACEPARENT);
    expect(String(backends.orders.lastMetadata.get('GetOrder')?.traceparent)).toMatch(TRACEPARENT);
    expect(backends.billing.lastHeaders.get('GetInvoice')?.traceparent).toMatch(TRACEPARENT);
    expect(backends.catalog.lastHeaders.get('getCustomer')?.traceparent).toContain(
      upstream.catalog!.spanContext().spanId,
    );
    expect(String(backends.orders.lastMetadata.get('GetOrder')?.traceparent)).toContain(
      upstream.orders!.spanContext().spanId,
    );
    expect(backends.billing.lastHeaders.get('GetInvoice')?.traceparent).toContain(
      upstream.billing!.spanContext().spanId,
    );
  });
});
