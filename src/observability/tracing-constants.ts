import { trace, type Span, SpanStatusCode, type TextMapGetter } from '@opentelemetry/api';

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

export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}
