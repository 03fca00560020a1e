import type { CatalogBackend } from '../../demo/catalog-backend';
import { createLogger } from '../../src/core/logger';
import { setupTracing, type Tracing } from '../../src/observability/setup-tracing';
import type { TestGateway } from '../helpers/test-gateway';
import { startCatalogUnderTest, type CatalogUnderTest } from '../helpers/catalog-under-test';
import { captureLogs, type LogCapture } from './log-capture';

const TRACE_ID = '5bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '10f067aa0ba902b7';

describe('tracing with no exporter configured', () => {
  let tracing: Tracing;
  let setup: CatalogUnderTest;
  let backend: CatalogBackend;
  let gateway: TestGateway;
  let logs: LogCapture;

  beforeAll(async () => {
    tracing = setupTracing({ env: {} });
    logs = captureLogs();
    setup = await startCatalogUnderTest({ logger: createLogger({ level: 'info', destination: logs.stream }) });
    ({ backend, gateway } = setup);
  });
  afterAll(async () => {
    await setup?.close();
    await tracing?.shutdown();
  });

  it('records nothing but passes the caller trace context through to the upstream and into the log line', async () => {
    expect(tracing.recording).toBe(false);
    await gateway.query(
      'web',
      { query: '{ getCustomer(id: "1") { id } }' },
      { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`, tracestate: 'vendor=abc' },
    );
    const headers = backend.lastHeaders.get('getCustomer');
    expect(headers?.traceparent).toBe(`00-${TRACE_ID}-${CALLER_SPAN_ID}-01`);
    expect(headers?.tracestate).toBe('vendor=abc');
    expect(await logs.next('request')).toMatchObject({ traceId: TRACE_ID, upstreamCalls: 1 });
  });

  it('sends no traceparent when the caller sent none', async () => {
    await gateway.query('web', { query: '{ getCustomer(id: "2") { id } }' });
    expect(backend.lastHeaders.get('getCustomer')?.traceparent).toBeUndefined();
    expect((await logs.next('request')).traceId).toBeUndefined();
  });
});
