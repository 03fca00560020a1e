import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isPromiseLike } from '../core/is-promise-like';
import { getRequestRecord } from './request-record';
import { runInSpan } from './run-in-span';
import {
  carriesTraceContext,
  fetchHeadersGetter,
  getTracer,
  recordFailure,
  SPAN_ATTRIBUTES,
  tracingOff,
} from './tracing-constants';

export interface RequestTracingOptions {
  /** BFF name, set on every request span. */
  bffName: string;
}

function finishRequestSpan(span: Span, request: Request): void {
  const record = getRequestRecord(request);
  if (record) {
    span.setAttribute(SPAN_ATTRIBUTES.requestId, record.requestId);
    span.setAttribute(SPAN_ATTRIBUTES.upstreamCalls, record.upstreamCalls);
    if (record.status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, record.status);
    if (record.operationName) span.setAttribute(SPAN_ATTRIBUTES.operationName, record.operationName);
    if (record.operationType) span.setAttribute(SPAN_ATTRIBUTES.operationType, record.operationType);
    if (record.errorCodes.length > 0) {
      span.setAttribute(SPAN_ATTRIBUTES.errorCodes, [...new Set(record.errorCodes)]);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `GraphQL errors: ${[...new Set(record.errorCodes)].join(', ')}`,
      });
    } else if ((record.status ?? 200) >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${record.status}` });
    }
  }
  span.end();
}

function markResultErrors(result: unknown): void {
  const errors = (result as ExecutionResult | undefined)?.errors;
  if (!errors?.length) return;
  const span = trace.getActiveSpan();
  const codes = [...new Set(errors.map((error) => String(error.extensions?.code ?? 'UNKNOWN')))];
  span?.setAttribute(SPAN_ATTRIBUTES.errorCodes, codes);
  span?.setStatus({ code: SpanStatusCode.ERROR, message: `${errors.length} GraphQL error(s): ${codes.join(', ')}` });
}

/**
 * One SERVER span per HTTP request (continuing an incoming W3C `traceparent`)
 * with children for parse, validate and execute. The request span is the
 * active context for the whole Yoga pipeline, so upstream call spans
 * (instrumentExecutor) and outgoing `traceparent` headers hang below it.
 */
export function useRequestTracing({ bffName }: RequestTracingOptions): Plugin {
  return {
    instrumentation: {
      request({ request }, wrapped) {
        // No tracing and no incoming trace context to carry on upstream: nothing to make.
        if (tracingOff() && !carriesTraceContext(request.headers)) return wrapped();
        const parent = propagation.extract(ROOT_CONTEXT, request.headers, fetchHeadersGetter);
        const path = new URL(request.url).pathname;
        // Tracer looked up per request: tracing may be set up after the BFF is built.
        const span = getTracer().startSpan(
          `${request.method} ${path}`,
          {
            kind: SpanKind.SERVER,
            attributes: {
              [ATTR_HTTP_REQUEST_METHOD]: request.method,
              [ATTR_URL_PATH]: path,
              [SPAN_ATTRIBUTES.bff]: bffName,
            },
          },
          parent,
        );
        if (!span.isRecording()) {
          // Nothing recorded (no exporter, or not sampled): only a trace context needs to travel
          // on to the upstream calls' traceparent and baggage headers, if there is one (an
          // incoming one, or an unsampled one a sampler made, so upstreams do not sample either).
          const carried = trace.isSpanContextValid(span.spanContext()) ? trace.setSpan(parent, span) : parent;
          return carried !== parent || propagation.getBaggage(parent) ? context.with(carried, wrapped) : wrapped();
        }
        let outcome: ReturnType<typeof wrapped>;
        try {
          outcome = context.with(trace.setSpan(parent, span), wrapped);
        } catch (error) {
          recordFailure(span, error);
          finishRequestSpan(span, request);
          throw error;
        }
        if (!isPromiseLike(outcome)) return finishRequestSpan(span, request);
        return Promise.resolve(outcome).then(
          () => finishRequestSpan(span, request),
          (error: unknown) => {
            recordFailure(span, error);
            finishRequestSpan(span, request);
            throw error;
          },
        );
      },
      parse: (_payload, wrapped) => runInSpan('graphql.parse', wrapped),
      validate: (_payload, wrapped) => runInSpan('graphql.validate', wrapped),
      execute: (_payload, wrapped) => runInSpan('graphql.execute', wrapped),
      subscribe: (_payload, wrapped) => runInSpan('graphql.subscribe', wrapped),
    },
    onValidate() {
      return ({ valid, result }) => {
        if (!valid) markResultErrors({ errors: result });
      };
    },
    onExecute() {
      return { onExecuteDone: ({ result }) => markResultErrors(result) };
    },
  };
}
