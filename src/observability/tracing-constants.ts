import {
  INVALID_SPAN_CONTEXT,
  propagation,
  ProxyTracerProvider,
  trace,
  type Span,
  SpanStatusCode,
  type TextMapGetter,
} from '@opentelemetry/api';

/** Instrumentation scope of every Loom span. */
export const TRACER_NAME = 'loom';

/** Span attribute names Loom sets beyond the OpenTelemetry HTTP conventions. */
export const SPAN_ATTRIBUTES = {
  bff: 'loom.bff',
  requestId: 'loom.request_id',
  errorCodes: 'loom.error_codes',
  upstreamCalls: 'loom.upstream.calls',
  source: 'loom.source',
  sourceKind: 'loom.source.kind',
  upstreamOperation: 'loom.upstream.operation',
  upstreamStatus: 'loom.upstream.status',
  operationName: 'graphql.operation.name',
  operationType: 'graphql.operation.type',
  grpcStatus: 'rpc.grpc.status_code',
} as const;

export const getTracer = () => trace.getTracer(TRACER_NAME);

/** What the global provider hands out while no tracer provider is registered. */
const NO_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * True while no tracer provider is registered (tracing not configured): every
 * span would be a no-op, so callers skip making them. Asked per request, as
 * tracing may be set up after a BFF is built.
 */
export function tracingOff(): boolean {
  const provider = trace.getTracerProvider() as Partial<ProxyTracerProvider>;
  return typeof provider.getDelegate === 'function' && provider.getDelegate() === NO_TRACER_PROVIDER;
}

/** A span that records nothing and carries no trace context: what every span is while tracing is off. */
export const NO_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** True when a request carries a header the registered propagator reads (traceparent, baggage...). */
export function carriesTraceContext(headers: Headers): boolean {
  for (const field of propagation.fields()) if (headers.has(field)) return true;
  return false;
}

/** Reads W3C trace context from a Fetch API Headers object. */
export const fetchHeadersGetter: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/** Marks a span failed and records the error as an exception event. */
export function recordFailure(span: Span, error: unknown): void {
  const exception = error instanceof Error ? error : new Error(String(error));
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}
