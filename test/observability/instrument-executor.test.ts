import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { parse } from 'graphql';
import type { ExecutionRequest, Executor } from '@graphql-tools/utils';
import { Registry } from 'prom-client';
import { createLoomError, upstreamTimeout } from '../../src/core/errors';
import { instrumentExecutor, rootFieldsOf } from '../../src/observability/instrument-executor';
import { recordUpstreamRetry } from '../../src/observability/record-upstream-retry';
import { createBoundedLabel } from '../../src/observability/bounded-label';
import { getOrCreateCounter } from '../../src/observability/get-or-create-metric';
import { validateConfig } from '../../src/config/validate-config';
import { REPO_ROOT } from '../helpers/test-gateway';
import { startSpanCollector, type SpanCollector } from './span-collector';
import { parsePrometheusText, valueOf } from './prometheus-text';

/** Test executors return concrete results; Executor is generic in its result type. */
const executorOf = (fn: (request: ExecutionRequest) => unknown): Executor => fn as Executor;

const request = (query: string, context: Record<string, unknown> = {}): ExecutionRequest => ({
  document: parse(query),
  operationType: 'query' as never,
  context,
});

describe('instrumentExecutor (one span and metrics per upstream call)', () => {
  let collector: SpanCollector;
  beforeAll(() => {
    collector = startSpanCollector();
  });
  afterAll(() => collector.shutdown());
  beforeEach(() => collector.reset());

  async function samplesOf(registry: Registry) {
    return parsePrometheusText(await registry.metrics());
  }

  it('names the root fields and makes its span active for the transport (retries can add events to it)', async () => {
    const registry = new Registry();
    let activeInside: string | undefined;
    const inner = executorOf(async () => {
      const span = trace.getActiveSpan();
      activeInside = span?.spanContext().spanId;
      recordUpstreamRetry({ attempt: 1 });
      return { data: { getOrder: { id: '1' } } };
    });
    const result = await instrumentExecutor({ name: 'orders', kind: 'grpc' }, inner, { metrics: registry })(
      request('{ __typename getOrder(id: "1") { id } listOrders { id } }'),
    );
    expect(result).toEqual({ data: { getOrder: { id: '1' } } });
    const [span] = collector.spans();
    expect(span.name).toBe('upstream orders');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.spanContext().spanId).toBe(activeInside);
    expect(span.attributes).toMatchObject({
      'loom.source': 'orders',
      'loom.source.kind': 'grpc',
      'loom.upstream.operation': 'getOrder,listOrders',
      'loom.upstream.status': 'ok',
    });
    expect(span.events.map((event) => [event.name, event.attributes])).toEqual([['retry', { attempt: 1 }]]);
    expect(valueOf(await samplesOf(registry), 'loom_upstream_requests_total', { source: 'orders', status: 'ok' })).toBe(
      1,
    );
  });

  it('takes the gRPC status from a GRPC_* error code', async () => {
    const registry = new Registry();
    const inner = executorOf(async () => ({
      data: null,
      errors: [createLoomError('GRPC_UNAVAILABLE', 'Source "orders" is unavailable', { source: 'orders' })],
    }));
    await instrumentExecutor({ name: 'orders', kind: 'grpc' }, inner, { metrics: registry })(
      request('{ getOrder(id: "1") { id } }'),
    );
    const [span] = collector.spans();
    expect(span.attributes).toMatchObject({
      'loom.upstream.status': 'UNAVAILABLE',
      'rpc.grpc.status_code': 'UNAVAILABLE',
      'loom.error_codes': ['GRPC_UNAVAILABLE'],
    });
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Source "orders" is unavailable' });
    const samples = await samplesOf(registry);
    expect(valueOf(samples, 'loom_upstream_requests_total', { source: 'orders', status: 'UNAVAILABLE' })).toBe(1);
    expect(valueOf(samples, 'loom_upstream_errors_total', { source: 'orders', code: 'GRPC_UNAVAILABLE' })).toBe(1);
  });

  it('records a thrown error (e.g. a timeout from the resilience layer) and rethrows it', async () => {
    const registry = new Registry();
    const timeout = upstreamTimeout('billing', 50);
    const inner = executorOf(() => Promise.reject(timeout));
    await expect(
      instrumentExecutor({ name: 'billing', kind: 'soap' }, inner, { metrics: registry })(
        request('{ getInvoice { id } }'),
      ),
    ).rejects.toBe(timeout);
    const [span] = collector.spans();
    expect(span.attributes['loom.upstream.status']).toBe('error');
    expect(span.events[0].attributes).toMatchObject({
      'exception.type': 'UPSTREAM_TIMEOUT',
      'exception.message': 'Source "billing" did not answer within 50 ms',
    });
    expect(
      valueOf(await samplesOf(registry), 'loom_upstream_errors_total', { source: 'billing', code: 'UPSTREAM_TIMEOUT' }),
    ).toBe(1);
  });

  it('handles a synchronous executor and a synchronous throw', () => {
    const registry = new Registry();
    expect(
      instrumentExecutor(
        { name: 'sync', kind: 'graphql' },
        executorOf(() => ({ data: { a: 1 } })),
        { metrics: registry },
      )(request('{ a }')),
    ).toEqual({ data: { a: 1 } });
    const boom = new Error('boom');
    expect(() =>
      instrumentExecutor(
        { name: 'sync', kind: 'graphql' },
        () => {
          throw boom;
        },
        { metrics: registry },
      )(request('{ a }')),
    ).toThrow(boom);
    expect(collector.spans().map((span) => span.attributes['loom.upstream.status'])).toEqual(['ok', 'error']);
  });

  it('reads the root fields of the named operation', () => {
    expect(rootFieldsOf({ document: parse('query A { a } query B { b c }'), operationName: 'B' })).toBe('b,c');
  });
});

describe('metric helpers', () => {
  it('get-or-create returns the registered metric instead of registering twice', () => {
    const registry = new Registry();
    const first = getOrCreateCounter(registry, { name: 'loom_test_total', help: 'test', labelNames: ['bff'] });
    const second = getOrCreateCounter(registry, { name: 'loom_test_total', help: 'test', labelNames: ['bff'] });
    expect(second).toBe(first);
  });

  it('caps distinct label values and maps the rest to other', () => {
    const label = createBoundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map(label)).toEqual(['a', 'b', 'other', 'a', 'other', 'b']);
    expect(() => createBoundedLabel(0)).toThrow('maxValues must be a positive integer, got 0');
  });
});

describe('observability config', () => {
  const base = {
    sources: [{ name: 'catalog', kind: 'openapi', spec: './sources/catalog/openapi.yaml' }],
    bffs: { web: './test/fixtures/bff/open.ts' },
  };

  it('keeps a valid tracing block', () => {
    const config = validateConfig(
      { ...base, observability: { tracing: { sampleRatio: 0.25 } } },
      'mesh.config.ts',
      REPO_ROOT,
    );
    expect(config.observability).toEqual({ tracing: { sampleRatio: 0.25, serviceName: undefined } });
  });

  it('rejects a sample ratio outside 0..1 with the file and the field', () => {
    expect(() =>
      validateConfig({ ...base, observability: { tracing: { sampleRatio: 2 } } }, 'mesh.config.ts', REPO_ROOT),
    ).toThrow('mesh.config.ts: observability.tracing.sampleRatio must be a number from 0 to 1, got 2');
  });
});
